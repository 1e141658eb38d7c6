// Pure parsers for the text of cgroup control files (v1 and v2).

/** A file holding one integer, e.g. cpuacct.usage, memory.current, pids.current. */
export function parseSingleNumber(text: string): number {
	const value = Number(text.trim());
	if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`not a number: ${JSON.stringify(text)}`);
	return value;
}

/** "key value" lines: memory.stat, cpu.stat, memory.oom_control, memory.events, cgroup.events. */
export function parseKeyedValues(text: string): Map<string, number> {
	const values = new Map<string, number>();
	for (const line of text.split('\n')) {
		const [key, value, extra] = line.trim().split(/\s+/);
		if (key === undefined || key === '' || value === undefined || extra !== undefined) continue;
		const number = Number(value);
		if (Number.isFinite(number)) values.set(key, number);
	}
	return values;
}

/**
 * The value of one key of a "key value" file, as parseKeyedValues would give it, without
 * splitting the whole file: memory.stat has some forty lines, and the metrics want two.
 */
export function keyedValue(text: string, key: string): number | undefined {
	const prefix = `${key} `;
	let start: number;
	if (text.startsWith(prefix)) start = prefix.length;
	else {
		const at = text.indexOf(`\n${prefix}`);
		if (at < 0) return undefined;
		start = at + 1 + prefix.length;
	}
	const end = text.indexOf('\n', start);
	const value = text.slice(start, end < 0 ? undefined : end).trim();
	if (value === '' || /\s/.test(value)) return undefined;
	const number = Number(value);
	return Number.isFinite(number) ? number : undefined;
}

// v1 reports "no limit" as the largest page-aligned signed 64-bit value, which depends on the
// page size (9223372036854771712 with 4 KiB pages); anything this large is no limit at all.
const V1_UNLIMITED_THRESHOLD = 2 ** 62;

/** memory.limit_in_bytes or hierarchical_memory_limit on v1: null when unlimited. */
export function v1LimitOrNull(bytes: number): number | null {
	return bytes >= V1_UNLIMITED_THRESHOLD ? null : bytes;
}

/** memory.max, pids.max on v2: "max" means no limit. */
export function parseV2Max(text: string): number | null {
	return text.trim() === 'max' ? null : parseSingleNumber(text);
}

export interface BlockIoBytes {
	readBytes: number;
	writeBytes: number;
}

/** v1 blkio.throttle.io_service_bytes(_recursive): "M:m Read N" lines, summed over devices. */
export function parseBlkioServiceBytes(text: string): BlockIoBytes {
	let readBytes = 0;
	let writeBytes = 0;
	for (const line of text.split('\n')) {
		const [device, operation, value] = line.trim().split(/\s+/);
		if (device === undefined || !device.includes(':') || value === undefined) continue;
		if (operation === 'Read') readBytes += Number(value);
		else if (operation === 'Write') writeBytes += Number(value);
	}
	return {readBytes, writeBytes};
}

/** v2 io.stat: "M:m rbytes=N wbytes=N rios=N ..." lines, summed over devices. */
export function parseIoStat(text: string): BlockIoBytes {
	let readBytes = 0;
	let writeBytes = 0;
	for (const line of text.split('\n')) {
		for (const field of line.trim().split(/\s+/).slice(1)) {
			const [key, value] = field.split('=');
			if (key === 'rbytes') readBytes += Number(value);
			else if (key === 'wbytes') writeBytes += Number(value);
		}
	}
	return {readBytes, writeBytes};
}

/** cgroup.procs / tasks: one pid per line. */
export function parsePidList(text: string): number[] {
	return text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => Number(line.trim()));
}

/** v1 freezer.state: THAWED, FREEZING or FROZEN. */
export type FreezerState = 'THAWED' | 'FREEZING' | 'FROZEN';

export function parseFreezerState(text: string): FreezerState {
	const state = text.trim();
	if (state === 'THAWED' || state === 'FREEZING' || state === 'FROZEN') return state;
	throw new Error(`unknown freezer state: ${JSON.stringify(text)}`);
}
