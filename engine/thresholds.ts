// Thresholds (the seed's MEMORY_THRESHOLD_MB and CPU_THRESHOLD_PERCENT, or a container's own):
// which samples are above them, and the one `threshold` event per crossing. With no daemon,
// whoever samples (ps, stats, top on every tick) checks; the flag of a container above a
// threshold is a file in its userdata, created with O_EXCL, so when several processes sample
// at once exactly one of them records the crossing. See docs/thresholds.md.
import fs from 'node:fs';
import {appendEvent} from './events/log.js';
import {containerPaths, type StorageLayout} from './paths.js';
import type {ContainerRecord} from './record.js';
import type {ThresholdSettings} from './threshold-settings.js';
import type {ContainerMetrics, ResolvedConfig, ThresholdBreach, ThresholdMetric} from './types.js';

export const THRESHOLD_METRICS: readonly ThresholdMetric[] = ['memory', 'cpu'];

export interface Thresholds {
	memoryMb: number | null;
	cpuPercent: number | null;
}

/** A container's own thresholds, else the settings'. */
export function thresholdsOf(
	config: Pick<ResolvedConfig, 'memoryThresholdMb' | 'cpuThresholdPercent'>,
	settings: ThresholdSettings,
): Thresholds {
	return {memoryMb: config.memoryThresholdMb ?? settings.memoryMb, cpuPercent: config.cpuThresholdPercent ?? settings.cpuPercent};
}

export function hasThresholds(thresholds: Thresholds): boolean {
	return thresholds.memoryMb !== null || thresholds.cpuPercent !== null;
}

/** What of a sample is strictly above its thresholds. */
export function breachesOf(sample: Pick<ContainerMetrics, 'memoryMb' | 'cpuPercent'>, thresholds: Thresholds): ThresholdBreach[] {
	const breaches: ThresholdBreach[] = [];
	if (thresholds.memoryMb !== null && sample.memoryMb > thresholds.memoryMb) {
		breaches.push({metric: 'memory', value: sample.memoryMb, threshold: thresholds.memoryMb});
	}
	if (thresholds.cpuPercent !== null && sample.cpuPercent > thresholds.cpuPercent) {
		breaches.push({metric: 'cpu', value: sample.cpuPercent, threshold: thresholds.cpuPercent});
	}
	return breaches;
}

/** From the flags of the last check and this sample's breaches: which crossed above now (an event each) and which flags to clear. */
export function thresholdChanges(
	flagged: ReadonlySet<ThresholdMetric>,
	breaches: readonly ThresholdBreach[],
): {crossed: ThresholdBreach[]; cleared: ThresholdMetric[]} {
	const above = new Set(breaches.map((b) => b.metric));
	return {
		crossed: breaches.filter((b) => !flagged.has(b.metric)),
		cleared: THRESHOLD_METRICS.filter((metric) => flagged.has(metric) && !above.has(metric)),
	};
}

export const thresholdFlagFile = (layout: StorageLayout, id: string, metric: ThresholdMetric) =>
	`${containerPaths(layout, id).userdata}/threshold-${metric}`;

export function flaggedMetrics(layout: StorageLayout, id: string): Set<ThresholdMetric> {
	return new Set(THRESHOLD_METRICS.filter((metric) => fs.existsSync(thresholdFlagFile(layout, id, metric))));
}

/**
 * Records one sample against its thresholds: a crossing above raises the flag and appends one
 * `threshold` event (only the process whose O_EXCL create wins); a fall below clears it.
 * Never throws: a flag that cannot be written must not break ps or top.
 */
export function recordSample(layout: StorageLayout, record: ContainerRecord, breaches: readonly ThresholdBreach[]): void {
	const id = record.metadata.id;
	const {crossed, cleared} = thresholdChanges(flaggedMetrics(layout, id), breaches);
	for (const metric of cleared) fs.rmSync(thresholdFlagFile(layout, id, metric), {force: true});
	for (const breach of crossed) {
		if (!raiseFlag(thresholdFlagFile(layout, id, breach.metric))) continue;
		appendEvent(layout, {
			subject: 'container',
			event: 'threshold',
			id,
			name: record.metadata.name,
			labels: record.metadata.labels,
			attributes: {metric: breach.metric, value: breach.value, threshold: breach.threshold},
		});
	}
}

/** A container that no longer runs is above nothing: its next run's crossing is news again. */
export function clearFlags(layout: StorageLayout, id: string): void {
	for (const metric of THRESHOLD_METRICS) fs.rmSync(thresholdFlagFile(layout, id, metric), {force: true});
}

const {O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW} = fs.constants;

function raiseFlag(file: string): boolean {
	try {
		fs.closeSync(fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600));
		return true;
	} catch {
		return false;
	}
}

/**
 * Checks a batch of samples against their containers' thresholds, records the crossings, and
 * returns the samples with what is above. Containers of `ended` lose their flags.
 */
export function checkSamples(
	layout: StorageLayout,
	records: readonly ContainerRecord[],
	samples: ContainerMetrics[],
	settings: ThresholdSettings,
	ended: readonly string[] = [],
): ContainerMetrics[] {
	for (const id of ended) {
		if (flaggedMetrics(layout, id).size > 0) clearFlags(layout, id);
	}
	const byId = new Map(records.map((r) => [r.metadata.id, r]));
	return samples.map((sample) => {
		const record = byId.get(sample.id);
		if (!record) return sample;
		const thresholds = thresholdsOf(record.config, settings);
		if (!hasThresholds(thresholds)) return sample;
		const breaches = breachesOf(sample, thresholds);
		recordSample(layout, record, breaches);
		return {...sample, aboveThresholds: breaches};
	});
}
