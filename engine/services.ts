// The engine's services: what the lifecycle needs from this host (drivers, attachments,
// metrics, doctor), behind one interface so tests can run the lifecycle with fakes.
// The real ones load on first use: listing and inspecting containers needs none of the
// drivers, cgroup writers, samplers or host probes, and a command-line tool pays for every
// module it loads at start-up.
import type {HostStats} from './api.js';
import type {ImageFacts} from './config.js';
import type {Driver} from './drivers/driver.js';
import {exitCommandFor, spawnExitCommand} from './exit-command.js';
import type {Attachment} from './lifecycle/attachments.js';
import type {StorageLayout} from './paths.js';
import type {ContainerRecord, ProcessRef} from './record.js';
import type {ContainerMetrics, DoctorReport, ResolvedConfig} from './types.js';

/** What containers need of the image store: finding an image, and its unpacked layers. */
export interface ImageResolver {
	/** IMAGE_NOT_FOUND when the store has no such image. */
	resolve(ref: string): Promise<ImageFacts>;
	/** The image's unpacked layer directories, bottom first; uids and gids shifted by `idShift` (user namespaces). */
	layerDirs(id: string, idShift: number): Promise<string[]>;
}

export interface EngineServices {
	/** The OCI images containers run on. */
	readonly images: ImageResolver;
	/** The driver that runs a container of this record (OCI or process). */
	driverFor(record: ContainerRecord): Promise<Driver>;
	/** What is prepared before the runtime starts and torn down on every ending, in order. */
	attachmentsFor(record: ContainerRecord): Promise<Attachment[]>;
	/** The argv the container's monitor runs when the container ends (records the exit, applies the restart policy). */
	exitCommand(id: string): string[];
	/** Starts a process that carries out a pending restart whose scheduler is gone. */
	spawnScheduler(id: string): ProcessRef;
	/** Ends and removes everything a container may have left on the host, knowing only its id (a damaged record). */
	purge(id: string): Promise<void>;
	/** Throws RUNTIME_MISSING / MONITOR_MISSING when this isolation level cannot run here. */
	requireDriver(isolation: ResolvedConfig['isolationLevel']): Promise<void>;
	/** Checks host support for the config at create: its limits (e.g. a block device for I/O throttling), its bundle, the network it names. */
	checkLimits(config: ResolvedConfig): Promise<void>;
	/** Whether this container's log writer truncates at the cap instead of rotating. */
	logTruncates(record: ContainerRecord): Promise<boolean>;
	metrics(records: ContainerRecord[], layout: StorageLayout): Promise<ContainerMetrics[]>;
	hostStats(): Promise<HostStats>;
	doctor(layout: StorageLayout): Promise<DoctorReport>;
}

/** The services that depend on this host's tools, loaded on first use. */
export type HostServices = Omit<EngineServices, 'exitCommand' | 'spawnScheduler' | 'images'>;

/** `images` replaces the image store (tests run containers on layer directories of their own). */
export function createServices(layout: StorageLayout, options: {images?: ImageResolver} = {}): EngineServices {
	const images = options.images ?? storeResolver(layout);
	let loaded: Promise<HostServices> | undefined;
	const services = () => (loaded ??= import('./host-services.js').then((m) => m.createHostServices(layout, images)));
	return {
		images,
		driverFor: async (record) => (await services()).driverFor(record),
		attachmentsFor: async (record) => (await services()).attachmentsFor(record),
		exitCommand: (id) => exitCommandFor(layout, id),
		spawnScheduler: (id) => spawnExitCommand(layout, id),
		purge: async (id) => (await services()).purge(id),
		requireDriver: async (isolation) => (await services()).requireDriver(isolation),
		checkLimits: async (config) => (await services()).checkLimits(config),
		logTruncates: async (record) => (await services()).logTruncates(record),
		metrics: async (records, layout) => (await services()).metrics(records, layout),
		hostStats: async () => (await services()).hostStats(),
		doctor: async (layout) => (await services()).doctor(layout),
	};
}

/** The image store of this storage root, loaded on first use (only containers of OCI images need it). */
function storeResolver(layout: StorageLayout): ImageResolver {
	let store: Promise<ImageResolver> | undefined;
	const load = () => (store ??= import('./image/store.js').then(({ImageStore}) => new ImageStore(layout)));
	return {
		resolve: async (ref) => (await load()).resolve(ref),
		layerDirs: async (id, idShift) => (await load()).layerDirs(id, idShift),
	};
}
