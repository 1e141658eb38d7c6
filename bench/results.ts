// Writes one benchmark's section of bench/RESULTS.md: replaced under its heading, or appended.
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const RESULTS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/RESULTS.md');

/** `section` starts with `heading` (a "## " line) and runs to the next "## " heading. */
export function writeResultsSection(heading: string, section: string): void {
	const current = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '# Benchmark results\n';
	const start = current.indexOf(heading);
	let next: string;
	if (start === -1) {
		next = `${current.trimEnd()}\n\n${section}`;
	} else {
		const end = current.indexOf('\n## ', start + heading.length);
		next = `${current.slice(0, start)}${section.trimEnd()}\n${end === -1 ? '' : current.slice(end)}`;
	}
	writeFileSync(RESULTS_FILE, next.endsWith('\n') ? next : `${next}\n`);
	console.log(`written to ${RESULTS_FILE}`);
}

export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The conditions a result was measured under, for the line under its heading. */
export function measuredOn(): string {
	const load = os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');
	return `${new Date().toISOString().slice(0, 10)}, Linux ${os.release()}, ${os.availableParallelism()} CPUs, Node ${process.version}, load average ${load} at the start`;
}
