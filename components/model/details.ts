// The details pane: what the selected container is and how it is limited.
import type {ContainerInfo, ContainerMetadata, ImageDetails, PortMapping, ResolvedConfig} from '../../engine/index.js';
import {formatAge, formatBytes, formatMb} from './format.js';
import {healthFields} from './health.js';
import {isLive} from './row.js';
import type {Segment} from './segments.js';

function field(label: string, value: string, tone?: Segment['tone']): Segment[] {
	return [{text: `${label} `, tone: 'dim'}, {text: value, tone}, {text: '   '}];
}

function quote(arg: string): string {
	return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function ago(iso: string | null, now: number): string {
	if (!iso) return '-';
	const at = Date.parse(iso);
	return Number.isNaN(at) ? '-' : `${formatAge(now - at)} ago`;
}

/** The OCI image a container was made from, or null for a host-path image (and records from before images). */
export function ociImageOf(info: ContainerInfo): ResolvedConfig['ociImage'] {
	return info.config.ociImage ?? null;
}

/** An OCI image as the dashboard knows it: inspected, or why that failed. */
export type ImageInfo = {details: ImageDetails} | {error: string};

/** "sha256:0123456789ab": a digest short enough for a details line. */
function shortDigest(digest: string): string {
	return digest.slice(0, 'sha256:'.length + 12);
}

/** What the details pane says of an OCI image: its digest and size, or why they are unknown. */
export function imageFields(image: ImageInfo | undefined): Segment[] {
	if (!image) return field('digest', '…', 'dim');
	if ('error' in image) return field('image details', image.error.split('\n')[0]!, 'bad');
	return [...field('digest', shortDigest(image.details.digest)), ...field('size', formatBytes(image.details.size))];
}

export function limitsText(info: ContainerInfo): string {
	const limits = info.config.resourceLimits;
	const parts: string[] = [];
	parts.push(`cpu ${limits.cpuLimitPercent === undefined ? 'unlimited' : `${limits.cpuLimitPercent}%`}`);
	parts.push(`mem ${limits.memoryLimitMb === undefined ? 'unlimited' : formatMb(limits.memoryLimitMb)}`);
	if (limits.maxProcesses !== undefined) parts.push(`pids ${limits.maxProcesses}`);
	if (limits.maxOpenFiles !== undefined) parts.push(`files ${limits.maxOpenFiles}`);
	if (limits.diskIoLimitMbps !== undefined) parts.push(`io ${limits.diskIoLimitMbps}MB/s`);
	if (limits.networkBandwidthLimitMbps) parts.push(`net ${limits.networkBandwidthLimitMbps}Mbit/s`);
	return parts.join(' · ');
}

export function restartText(info: ContainerInfo): string {
	const policy = info.config.restartPolicy;
	const name = policy.name === 'on-failure' && policy.maxRetries > 0 ? `on-failure:${policy.maxRetries}` : policy.name;
	const pending = info.state === 'restarting' && info.nextRestartAt ? `, next at ${new Date(info.nextRestartAt).toLocaleTimeString()}` : '';
	const loop = info.state === 'restarting' && info.crashLoop ? 'restarting (crash loop), ' : '';
	return `${loop}${name} (${info.restartCount} restart${info.restartCount === 1 ? '' : 's'}${pending})`;
}

/** "127.0.0.1:8080->80/tcp", as c32 ps shows published ports. */
function portText(port: PortMapping): string {
	return `${port.hostIp === '' ? '0.0.0.0' : port.hostIp}:${port.hostPort}->${port.containerPort}/${port.protocol}`;
}

/**
 * The network line: which networks, and while it runs their addresses, the first network's
 * gateway and the published ports (which are the first network's).
 */
export function networkFields(info: ContainerInfo): Segment[] {
	const network = info.network;
	if (network === null) {
		const mode = info.config.network;
		return field('network', mode === 'host' ? "host (the host's own network)" : mode, mode === 'host' ? 'warn' : undefined);
	}
	const all = info.networks && info.networks.length > 0 ? info.networks : [network];
	const live = isLive(info);
	const ports = network.ports.length === 0 ? 'none' : network.ports.map(portText).join(', ');
	const addresses = all.map((n) => (live && n.ip ? n.ip : '-'));
	return [
		...field(all.length > 1 ? 'networks' : 'network', all.map((n) => n.name).join(', ')),
		...field('ip', addresses.every((a) => a === '-') ? '-' : addresses.join(', ')),
		...field('gateway', live && network.gateway ? network.gateway : '-'),
		...field('ports', ports),
	];
}

export function exitText(meta: ContainerMetadata): string {
	if (meta.exitCode === null) return '-';
	return meta.oomKilled ? `${meta.exitCode} (OOM-killed)` : String(meta.exitCode);
}

/** `lines` content lines (the title is the caller's). */
export function detailsLines(
	meta: ContainerMetadata,
	info: ContainerInfo | null,
	now: number,
	lines: number,
	image?: ImageInfo,
): Segment[][] {
	// A damaged container has no config to show: only what is wrong and how to remove it.
	if (meta.state === 'damaged') return [field('error', meta.errorMessage ?? 'its state file cannot be read', 'bad')];
	if (!info) return [[{text: 'loading…', tone: 'dim'}]];
	const {config} = info;
	const command = [config.entrypoint, ...config.args].map(quote).join(' ');
	const volumes =
		config.volumes.length === 0
			? 'none'
			: config.volumes.map((volume) => `${volume.source}:${volume.destination}${volume.readOnly ? ':ro' : ''}`).join(', ');
	const labels = Object.entries(meta.labels)
		.map(([key, value]) => `${key}=${value}`)
		.join(' ');
	const out: Segment[][] = [
		[...field('image', meta.image ?? 'none'), ...(ociImageOf(info) ? imageFields(image) : []), ...field('command', command)],
		[...field('limits', limitsText(info)), ...field('isolation', `${meta.isolationLevel} (${meta.runtime})`)],
		networkFields(info),
		[...field('volumes', volumes), ...field('workdir', config.workingDir), ...field('user', config.user.name ?? String(config.user.uid))],
		[
			...field('restart', restartText(info)),
			...field('created', ago(meta.createdAt, now)),
			...field('started', ago(meta.startedAt, now)),
			...field('exit', exitText(meta), meta.oomKilled || (meta.exitCode ?? 0) !== 0 ? 'bad' : undefined),
		],
	];
	// The pane has one line left: the error, else the health checks and the labels.
	const health = meta.health ? [...healthFields(meta.health, now), {text: '   '}] : [];
	if (meta.errorMessage) out.push(field('error', meta.errorMessage, 'bad'));
	else if (labels || health.length > 0) out.push([...health, ...(labels ? field('labels', labels) : [])]);
	return out.slice(0, lines);
}
