// The engine's services, loaded on first use: listing and inspecting containers needs none
// of the drivers, cgroup writers, samplers or host probes, and a command-line tool pays for
// every module it loads at start-up.
import type {EngineServices} from './engine.js';
import type {StorageLayout} from './paths.js';

export function createServices(layout: StorageLayout): EngineServices {
	let loaded: Promise<EngineServices> | undefined;
	const services = () => (loaded ??= import('./host-services.js').then((m) => m.createHostServices(layout)));
	return {
		driverFor: async (record) => (await services()).driverFor(record),
		requireDriver: async (isolation) => (await services()).requireDriver(isolation),
		checkLimits: async (config) => (await services()).checkLimits(config),
		logTruncates: async (record) => (await services()).logTruncates(record),
		metrics: async (records, layout) => (await services()).metrics(records, layout),
		hostStats: async () => (await services()).hostStats(),
		doctor: async (layout) => (await services()).doctor(layout),
	};
}
