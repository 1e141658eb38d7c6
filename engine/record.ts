// What the engine stores for one container (containers/<id>/state.json), how an older
// record is brought up to date, and how a damaged one is told apart. See docs/storage.md.
import {BACKOFF_MAX_MS} from './restart.js';
import {CONTAINER_STATES, type ContainerMetadata, type PortMapping, type ResolvedConfig} from './types.js';

/** Version 2: `restarting` state, metadata.nextRestartAt, stop requests, restart schedulers. */
export const FORMAT_VERSION = 2;

/** A process told apart from a later one that reuses its pid by its start time (clock ticks since boot). */
export interface ProcessRef {
	pid: number;
	startTime: number | null;
}

/** What joining a c32 network gave the current run (network/attach.ts joinNetwork). */
export interface NetworkState {
	name: string;
	ip: string;
	gateway: string;
	/** The bound network namespace the container joins, under the runtime directory. */
	netnsPath: string;
	/** The published ports with their host ports resolved (a 0 of the config is the port picked); [] on a further network. */
	ports: PortMapping[];
	/** Its interface in the namespace; absent (records from before multi-network containers) is eth0. */
	ifName?: string;
}

/** Engine bookkeeping that is not part of the public metadata. */
export interface InternalState {
	imageDir: string | null;
	/** /proc/sys/kernel/random/boot_id when the container was last started. */
	bootId: string | null;
	monitorPid: number | null;
	monitorStartTime: number | null;
	/** Start time of the main process, to tell a reused pid apart. */
	pidStartTime: number | null;
	/** Incremented on every start, so a delayed restart can tell it has been overtaken. */
	generation: number;
	backoffAttempt: number;
	restartsSinceStart: number;
	/** Set while a start is under way; still set under a free lock means the starter died. */
	startingAt: string | null;
	/**
	 * A user's stop or kill in flight: an end observed before `until`, while the stopper
	 * (`by`, null for a kill, which does not wait) still runs, is the user's stop. Past `until`,
	 * or once the stopper is gone (Ctrl-C), the request is void.
	 */
	stopRequest: {until: string; by: ProcessRef | null} | null;
	/** The process that will carry out a pending restart (the exit command, or one started to take over). */
	scheduler: ProcessRef | null;
	/** The c32 network of the latest run (kept after it ends, for what it names); null when it joined none. */
	network: NetworkState | null;
	/** The further c32 networks of the latest run (config.additionalNetworks as joined, or connected live), same namespace. */
	additionalNetworks: NetworkState[];
	/** The generation a failing health check (--health-on-failure restart) ended: its end is restarted whatever the policy. */
	healthRestart: number | null;
}

export interface ContainerRecord {
	formatVersion: number;
	metadata: ContainerMetadata;
	config: ResolvedConfig;
	internal: InternalState;
}

/** The internal state of a container that never ran; an older record's missing fields take these. */
export const INTERNAL_DEFAULTS: Readonly<InternalState> = {
	imageDir: null,
	bootId: null,
	monitorPid: null,
	monitorStartTime: null,
	pidStartTime: null,
	generation: 0,
	backoffAttempt: 0,
	restartsSinceStart: 0,
	startingAt: null,
	stopRequest: null,
	scheduler: null,
	network: null,
	additionalNetworks: [],
	healthRestart: null,
};

/**
 * Checks the shape of a parsed state.json and upgrades an older version. Returns the
 * record, or a short reason why it is damaged. It does not re-validate the config: that
 * was validated when the container was created and only c32 writes this file.
 */
export function parseRecord(data: unknown): ContainerRecord | {damaged: string} {
	if (!isObject(data)) return {damaged: 'not a JSON object'};
	if (typeof data['formatVersion'] !== 'number') return {damaged: 'no formatVersion'};
	const {metadata, config, internal} = data;
	if (!isObject(metadata)) return {damaged: 'no metadata'};
	if (typeof metadata['id'] !== 'string' || !/^[0-9a-f]{64}$/.test(metadata['id'])) return {damaged: 'metadata.id is not an id'};
	if (typeof metadata['name'] !== 'string' || metadata['name'] === '') return {damaged: 'metadata.name is not a name'};
	if (!CONTAINER_STATES.includes(metadata['state'] as never))
		return {damaged: `metadata.state ${JSON.stringify(metadata['state'])} is not a state`};
	if (!isObject(config) || typeof config['entrypoint'] !== 'string' || !Array.isArray(config['args'])) {
		return {damaged: 'config is missing or incomplete'};
	}
	if (!isObject(internal)) return {damaged: 'no internal state'};
	const record = {
		formatVersion: FORMAT_VERSION,
		metadata: {nextRestartAt: null, crashLoop: false, ...metadata} as unknown as ContainerMetadata,
		// Records from before OCI images have a host-derived root; from before networks, no ports or aliases;
		// from before multi-network containers, one network; from before events, no hooks; from before health checks, none;
		// from before crash-loop caps and thresholds, the built-in cap and the settings' thresholds;
		// from before monitor pid files, none
		// (the fields missing are filled, no version bump).
		config: {
			ociImage: null,
			ports: [],
			networkAliases: [],
			additionalNetworks: [],
			hooks: [],
			healthcheck: null,
			restartMaxDelayMs: BACKOFF_MAX_MS,
			memoryThresholdMb: null,
			cpuThresholdPercent: null,
			monitorPidFile: null,
			...config,
		} as unknown as ResolvedConfig,
		internal: {...INTERNAL_DEFAULTS, ...internal} as InternalState,
	};
	if (data['formatVersion'] === 1) upgradeFromVersion1(record, internal);
	return record;
}

/** Version 1 kept a pending restart as internal.nextRestartAt on an `exited` record. */
function upgradeFromVersion1(record: ContainerRecord, old: Record<string, unknown>): void {
	const pending = typeof old['nextRestartAt'] === 'string' ? old['nextRestartAt'] : null;
	delete (record.internal as unknown as Record<string, unknown>)['nextRestartAt'];
	if (pending !== null && record.metadata.state === 'exited') {
		record.metadata.state = 'restarting';
		record.metadata.nextRestartAt = pending;
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
