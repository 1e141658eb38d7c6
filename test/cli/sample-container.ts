// A container's metadata for CLI tests that talk to an engine double. Not a test file.
import type {ContainerMetadata} from '../../engine/index.js';

/** A running container named `name` (its id starts with the name, padded), changed by `overrides`. */
export const container = (name: string, overrides: Partial<ContainerMetadata> = {}): ContainerMetadata => ({
	id: `${name.padEnd(12, '0')}${'f'.repeat(52)}`.slice(0, 64),
	name,
	state: 'running',
	pid: 100,
	exitCode: null,
	oomKilled: false,
	errorMessage: null,
	image: null,
	isolationLevel: 'standard',
	runtime: 'runc',
	createdAt: '2025-06-01T11:00:00.000Z',
	startedAt: '2025-06-01T11:59:00.000Z',
	finishedAt: null,
	restartCount: 0,
	nextRestartAt: null,
	stopRequested: false,
	labels: {},
	...overrides,
});
