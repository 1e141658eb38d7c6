// `c32 top`. The CLI imports this module only for the dashboard, so one-shot commands never
// load React or Ink; this module loads them only once it has chosen React's build.
import type {Engine} from '../engine/index.js';
import type {TopOptions} from './dashboard.js';

export type {TopOptions} from './dashboard.js';

export async function runTop(engine: Engine, options: TopOptions = {}): Promise<void> {
	// Unless asked otherwise, React's production build: the development one (what an unset
	// NODE_ENV selects) renders each frame several times slower.
	process.env['NODE_ENV'] ??= 'production';
	const {runDashboard} = await import('./dashboard.js');
	await runDashboard(engine, options);
}
