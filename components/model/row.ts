// What one table row knows: the container, its latest sample and its limits.
import type {ContainerInfo, ContainerMetadata, ContainerMetrics, ContainerState} from '../../engine/index.js';

export interface ContainerRow {
	meta: ContainerMetadata;
	/** Latest sample; null when the container is not running or paused, or not sampled yet. */
	metrics: ContainerMetrics | null;
	/** From the container's config once inspected; null = unlimited or not known yet. */
	cpuLimitPercent: number | null;
	/** What the IP column shows: its address while it runs on a network, else host, none or -; null until inspected. */
	address: string | null;
	/** An action in flight on this container ("stopping", ...), or null. */
	pending: string | null;
}

/** How a state reads at a glance; the theme turns a tone into a colour. */
export type Tone = 'ok' | 'warn' | 'bad' | 'muted' | 'info' | 'busy';

export interface StateLabel {
	text: string;
	tone: Tone;
	/** Paused and OOM-killed containers must stand out even without colour. */
	loud: boolean;
}

const STATE_TONE: Record<ContainerState, Tone> = {
	created: 'info',
	running: 'ok',
	paused: 'warn',
	restarting: 'warn',
	stopped: 'muted',
	exited: 'muted',
	failed: 'bad',
	damaged: 'bad',
};

export function stateLabel(row: Pick<ContainerRow, 'meta' | 'pending'>): StateLabel {
	if (row.pending) return {text: `${row.pending}…`, tone: 'busy', loud: false};
	const {state, oomKilled} = row.meta;
	if (oomKilled && state !== 'running' && state !== 'paused') return {text: 'OOM', tone: 'bad', loud: true};
	// A crash loop is `restarting` that will not get better by itself.
	if (state === 'restarting' && row.meta.crashLoop) return {text: 'crashloop', tone: 'bad', loud: true};
	if (state === 'exited' && row.meta.exitCode !== null && row.meta.exitCode !== 0) {
		return {text: 'exited', tone: 'bad', loud: false};
	}
	return {text: state, tone: STATE_TONE[state], loud: state === 'paused' || state === 'failed' || state === 'damaged'};
}

export function isLive(meta: ContainerMetadata): boolean {
	return meta.state === 'running' || meta.state === 'paused';
}

/** The IP column of a container as last inspected: its addresses (the first network's first), "host", "none", or "-" while it has none. */
export function addressOf(info: ContainerInfo | undefined): string | null {
	if (!info) return null;
	const addresses = (info.networks ?? (info.network ? [info.network] : [])).flatMap((n) => (n.ip ? [n.ip] : []));
	if (addresses.length > 0 && isLive(info)) return addresses.join(',');
	if (info.network === null && (info.config.network === 'host' || info.config.network === 'none')) return info.config.network;
	return '-';
}
