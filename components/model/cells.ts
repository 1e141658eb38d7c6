// Turns a container row into the styled cells of one table line.
import type {ColumnId, TableLayout} from './columns.js';
import {COLUMNS, CPU_VALUE_WIDTH, columnSpec, MEM_VALUE_WIDTH} from './columns.js';
import {bar, fit, fitStart, formatAge, formatBytes, formatDuration, formatMb, formatPercent, shortId} from './format.js';
import {healthCell} from './health.js';
import {type ContainerRow, stateLabel} from './row.js';
import type {Segment} from './segments.js';

export interface CellContext {
	/** The tick's wall-clock time, so every "ago" on screen agrees. */
	now: number;
	/** Host cores; a container without a CPU limit is drawn against all of them. */
	hostCpuCount: number;
	hostMemoryMb: number;
}

function since(iso: string | null, now: number): number | null {
	if (!iso) return null;
	const at = Date.parse(iso);
	return Number.isNaN(at) ? null : Math.max(0, now - at);
}

export function uptimeText(row: ContainerRow, now: number): string {
	const {meta} = row;
	if (meta.state === 'running' || meta.state === 'paused') {
		const up = since(meta.startedAt, now);
		return up === null ? '-' : formatDuration(up);
	}
	if (meta.state === 'created') return '-';
	if (meta.state === 'restarting' && meta.nextRestartAt) {
		const wait = Date.parse(meta.nextRestartAt) - now;
		if (meta.crashLoop) return wait > 0 ? `next in ${formatAge(wait)}` : 'next now';
		return wait > 0 ? `again in ${formatAge(wait)}` : 'again now';
	}
	const ago = since(meta.finishedAt, now);
	const code = meta.exitCode === null ? '' : `(${meta.exitCode}) `;
	return ago === null ? code.trim() || '-' : `${code}${formatAge(ago)} ago`;
}

/** The fraction of the bar to fill and what it is measured against. */
export function cpuFraction(row: ContainerRow, ctx: CellContext): {fraction: number; limited: boolean} {
	const used = row.metrics?.cpuPercent ?? 0;
	const limit = row.cpuLimitPercent ?? ctx.hostCpuCount * 100;
	return {fraction: limit > 0 ? used / limit : 0, limited: row.cpuLimitPercent !== null};
}

export function memFraction(row: ContainerRow, ctx: CellContext): {fraction: number; limited: boolean} {
	const used = row.metrics?.memoryMb ?? 0;
	const limit = row.metrics?.memoryLimitMb ?? null;
	const against = limit ?? ctx.hostMemoryMb;
	return {fraction: against > 0 ? used / against : 0, limited: limit !== null};
}

function barSegments(fraction: number, limited: boolean, width: number): Segment[] {
	if (width <= 0) return [];
	const {filled, empty, over} = bar(fraction, width);
	// Near or past the limit is what the eye should catch first.
	const tone = over || fraction >= 0.9 ? 'bad' : fraction >= 0.7 ? 'warn' : limited ? 'ok' : 'dim';
	return [{text: ' '}, {text: filled, tone}, {text: empty, tone: 'dim'}];
}

/** Above its threshold (MEMORY_THRESHOLD_MB, CPU_THRESHOLD_PERCENT or its own): marked "!" and loud, even without colour. */
export function isAbove(row: ContainerRow, metric: 'memory' | 'cpu'): boolean {
	return row.metrics?.aboveThresholds?.some((b) => b.metric === metric) ?? false;
}

function valueSegment(value: string, width: number, above: boolean): Segment {
	return above ? {text: fit(`!${value}`, width, 'right'), tone: 'bad', bold: true} : {text: fit(value, width, 'right')};
}

export function cellSegments(id: ColumnId, width: number, row: ContainerRow, layout: TableLayout, ctx: CellContext): Segment[] {
	const {meta, metrics} = row;
	const align = columnSpec(id).align;
	switch (id) {
		case 'name':
			return [{text: fit(meta.name, width)}];
		case 'image':
			return [{text: fitStart(meta.image ?? '-', width), tone: meta.image === null ? 'dim' : undefined}];
		case 'id':
			return [{text: fit(shortId(meta.id), width), tone: 'dim'}];
		case 'state': {
			const label = stateLabel(row);
			return [{text: fit(label.text, width), tone: label.tone, bold: label.loud, inverse: label.text === 'OOM'}];
		}
		case 'health':
			return healthCell(meta, width);
		case 'cpu': {
			if (!metrics) return [{text: fit('-', width), tone: 'dim'}];
			const {fraction, limited} = cpuFraction(row, ctx);
			return [
				valueSegment(formatPercent(metrics.cpuPercent), CPU_VALUE_WIDTH, isAbove(row, 'cpu')),
				...barSegments(fraction, limited, layout.barWidth),
			];
		}
		case 'mem': {
			if (!metrics) return [{text: fit('-', width), tone: 'dim'}];
			const {fraction, limited} = memFraction(row, ctx);
			const value =
				metrics.memoryLimitMb === null ? formatMb(metrics.memoryMb) : `${formatMb(metrics.memoryMb)}/${formatMb(metrics.memoryLimitMb)}`;
			return [valueSegment(value, MEM_VALUE_WIDTH, isAbove(row, 'memory')), ...barSegments(fraction, limited, layout.barWidth)];
		}
		case 'pids':
			return [{text: fit(metrics ? String(metrics.pids) : '-', width, align), tone: metrics ? undefined : 'dim'}];
		case 'io':
			return [
				{
					text: fit(metrics ? `${formatBytes(metrics.blockReadBytes)}/${formatBytes(metrics.blockWriteBytes)}` : '-', width, align),
					tone: metrics ? undefined : 'dim',
				},
			];
		case 'uptime':
			return [{text: fit(uptimeText(row, ctx.now), width), tone: meta.state === 'running' ? undefined : 'dim'}];
		case 'restarts':
			return [{text: fit(String(meta.restartCount), width, align), tone: meta.restartCount > 0 ? 'warn' : 'dim'}];
		case 'isolation':
			return [{text: fit(meta.isolationLevel, width), tone: meta.isolationLevel === 'minimal' ? 'warn' : undefined}];
		case 'ip': {
			const address = row.address ?? '-';
			// The host's network is the less isolated one: it stands out as minimal isolation does.
			return [{text: fit(address, width), tone: address === 'host' ? 'warn' : /^\d/.test(address) ? undefined : 'dim'}];
		}
	}
}

export function rowSegments(row: ContainerRow, layout: TableLayout, ctx: CellContext, selected: boolean): Segment[] {
	const out: Segment[] = [{text: selected ? '▶ ' : '  ', tone: 'accent', bold: true}];
	layout.columns.forEach((column, index) => {
		if (index > 0) out.push({text: ' '});
		out.push(...cellSegments(column.id, column.width, row, layout, ctx));
	});
	return out;
}

export function headerSegments(layout: TableLayout, sort: {column: ColumnId; descending: boolean}): Segment[] {
	const out: Segment[] = [{text: '  '}];
	const arrow = sort.descending ? '▼' : '▲';
	// Only on the narrowest terminals can the sorted column be gone: the name column says it.
	const hidden = !layout.columns.some((column) => column.id === sort.column);
	layout.columns.forEach((column, index) => {
		if (index > 0) out.push({text: ' '});
		const spec = COLUMNS.find((candidate) => candidate.id === column.id);
		if (!spec) return;
		const sorted = sort.column === column.id;
		// The arrow is what matters: a title too long for it gives up its last letters instead.
		let title = sorted ? `${spec.title.slice(0, Math.max(0, column.width - 1))}${arrow}` : spec.title;
		if (hidden && column.id === 'name') title = `${spec.title} ${columnSpec(sort.column).label}${arrow}`;
		out.push({
			text: fit(title, column.width, spec.align),
			bold: true,
			tone: sorted || (hidden && column.id === 'name') ? 'accent' : undefined,
		});
	});
	return out;
}
