// Text from users and containers shown to people: control characters escaped, on one line.

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'};

/** Escapes C0 and C1 control characters and DEL (\n, \x1b, \x9b …), so text cannot steer a terminal or break a line. */
export function escapeControl(text: string): string {
	return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
