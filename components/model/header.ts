// The header's text: host load and memory, container counts, runtime and refresh interval.
import type {ContainerMetadata, HostStats} from '../../engine/index.js';
import {bar, clockTime, formatInterval, formatMb, formatPercent} from './format.js';
import type {Segment} from './segments.js';

export interface StateCounts {
	running: number;
	paused: number;
	exited: number;
	created: number;
	total: number;
}

export function countStates(containers: readonly ContainerMetadata[]): StateCounts {
	const counts: StateCounts = {running: 0, paused: 0, exited: 0, created: 0, total: containers.length};
	for (const container of containers) {
		if (container.state === 'running') counts.running++;
		else if (container.state === 'paused') counts.paused++;
		else if (container.state === 'created') counts.created++;
		else counts.exited++;
	}
	return counts;
}

export interface HeaderInput {
	host: HostStats | null;
	containers: readonly ContainerMetadata[];
	runtime: string | null;
	intervalMs: number;
	/** Time of the last tick, ms since epoch; 0 before the first. */
	at: number;
	width: number;
}

function hostSegments(host: HostStats | null, barWidth: number): Segment[] {
	if (!host) return [{text: 'host …', tone: 'dim'}];
	const cpuFraction = host.cpuCount > 0 ? host.cpuPercent / (host.cpuCount * 100) : 0;
	const memFraction = host.memoryTotalMb > 0 ? host.memoryUsedMb / host.memoryTotalMb : 0;
	const tone = (fraction: number) => (fraction >= 0.9 ? 'bad' : fraction >= 0.7 ? 'warn' : 'ok');
	const out: Segment[] = [{text: 'cpu ', tone: 'dim'}, {text: `${formatPercent(host.cpuPercent)}/${host.cpuCount * 100}%`}];
	if (barWidth > 0) {
		const b = bar(cpuFraction, barWidth);
		out.push({text: ' '}, {text: b.filled, tone: tone(cpuFraction)}, {text: b.empty, tone: 'dim'});
	}
	out.push({text: '  mem ', tone: 'dim'}, {text: `${formatMb(host.memoryUsedMb)}/${formatMb(host.memoryTotalMb)}`});
	if (barWidth > 0) {
		const b = bar(memFraction, barWidth);
		out.push({text: ' '}, {text: b.filled, tone: tone(memFraction)}, {text: b.empty, tone: 'dim'});
	}
	return out;
}

function countSegments(containers: readonly ContainerMetadata[], width: number): Segment[] {
	const counts = countStates(containers);
	const base: Segment[] = [{text: `${counts.total} container${counts.total === 1 ? '' : 's'}:`, bold: true}];
	const running: Segment[] = [{text: ' '}, {text: `${counts.running} running`, tone: counts.running > 0 ? 'ok' : 'dim'}];
	const paused: Segment[] = [
		{text: ' · '},
		{text: `${counts.paused} paused`, tone: counts.paused > 0 ? 'warn' : 'dim', bold: counts.paused > 0},
	];
	const exited: Segment[] = [{text: ' · '}, {text: `${counts.exited} exited`, tone: 'dim'}];
	const created: Segment[] = counts.created > 0 ? [{text: ' · '}, {text: `${counts.created} created`, tone: 'info'}] : [];
	// Paused containers are the ones people forget: they are the last to be left out.
	const byPriority = [counts.paused > 0 ? paused : null, running, exited, created, paused].filter(
		(part): part is Segment[] => part !== null,
	);
	return fitParts(base, [running, paused, exited, created], [...new Set(byPriority)], width);
}

function length(segments: readonly Segment[]): number {
	return segments.reduce((sum, segment) => sum + segment.text.length, 0);
}

/**
 * Adds the optional parts that fit in `width`, the first-listed first, and shows them in
 * the order they appear in `shown` (each part listed once in both).
 */
function fitParts(base: Segment[], shown: readonly Segment[][], byPriority: readonly Segment[][], width: number): Segment[] {
	let used = length(base);
	const kept = new Set<Segment[]>();
	for (const part of byPriority) {
		const size = length(part);
		if (used + size > width) continue;
		kept.add(part);
		used += size;
	}
	return [...base, ...shown.filter((part) => kept.has(part)).flat()];
}

/** One or two header lines for a terminal `width` wide; what does not fit is left out. */
export function headerLines(input: HeaderInput, lines: number): Segment[][] {
	const title: Segment[] = [{text: ' c32 top ', inverse: true, bold: true}, {text: ' '}];
	const load: Segment[] = input.host
		? [{text: `  load ${input.host.loadAverage.map((value) => value.toFixed(2)).join(' ')}`, tone: 'dim'}]
		: [];
	const barWidth = input.width >= 110 ? 10 : input.width >= 90 ? 6 : 0;
	const host = hostSegments(input.host, barWidth);
	const runtime: Segment[] = [{text: '   runtime ', tone: 'dim'}, {text: input.runtime ?? runtimeGuess(input.containers)}];
	const interval: Segment[] = [{text: '  every ', tone: 'dim'}, {text: formatInterval(input.intervalMs)}];
	const clock: Segment[] = input.at > 0 ? [{text: `  ${clockTime(new Date(input.at).toISOString())}`, tone: 'dim'}] : [];
	const counts = countSegments(input.containers, input.width);
	const spacedHost: Segment[] = [{text: '  '}, ...host];
	if (lines <= 1) return [fitParts([...title, ...counts], [spacedHost, interval], [spacedHost, interval], input.width)];
	return [
		fitParts([...title, ...host], [load], [load], input.width),
		fitParts(counts, [runtime, interval, clock], [interval, runtime, clock], input.width),
	];
}

function runtimeGuess(containers: readonly ContainerMetadata[]): string {
	const runtimes = [...new Set(containers.map((container) => container.runtime))];
	return runtimes.length > 0 ? runtimes.join(', ') : '…';
}
