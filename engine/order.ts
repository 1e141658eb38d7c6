// Sort orders without the ICU collator: String.localeCompare builds one on first use (5 ms
// and more), which every `c32 ps` would pay. Timestamps (ISO 8601) and c32's names are ASCII.

/** By UTF-16 code unit: ISO timestamps chronologically, ASCII names alphabetically. */
export function byCodeUnit(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** Dotted IPv4 addresses by number ("10.0.0.9" before "10.0.0.10"); anything else by code unit, after them. */
export function byAddress(a: string, b: string): number {
	const x = ipv4Number(a);
	const y = ipv4Number(b);
	if (x !== null && y !== null) return x - y;
	if (x !== null || y !== null) return x !== null ? -1 : 1;
	return byCodeUnit(a, b);
}

function ipv4Number(text: string): number | null {
	const parts = text.split('.');
	if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null;
	return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}
