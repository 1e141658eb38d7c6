// Runs the dashboard against the engine double with synthetic load: for looking at the UI
// without containers, and for measuring the dashboard's own cost apart from the engine's.
//   node dist/bench/top-demo.js [--containers 12] [--interval 1000] [--log-rate 5]
// --log-rate is lines a second printed by worker-01 (first by name).
import {parseArgs} from 'node:util';
import {runTop} from '../components/top.js';
import {FakeEngine} from '../test/dashboard/fake-engine.js';

export function populate(engine: FakeEngine, count: number): void {
	const states = ['running', 'running', 'running', 'paused', 'exited', 'running'] as const;
	for (let i = 0; i < count; i++) {
		const state = i < 4 ? (states[i % states.length] ?? 'running') : 'running';
		engine.add({
			name: `worker-${String(i + 1).padStart(2, '0')}`,
			state,
			cpuPercent: 5 + ((i * 37) % 80),
			memoryMb: 20 + ((i * 53) % 200),
			cpuLimitPercent: i % 3 === 0 ? 50 : i % 3 === 1 ? 100 : undefined,
			memoryLimitMb: i % 2 === 0 ? 256 : undefined,
			isolationLevel: i % 5 === 0 ? 'strict' : i % 7 === 0 ? 'minimal' : 'standard',
			restartCount: i % 4,
			pids: 1 + (i % 9),
		});
	}
}

/** Random-walks CPU and memory, and prints `logRate` log lines a second to the first container. */
export function animate(engine: FakeEngine, logRate: number): () => void {
	let tick = 0;
	const metrics = setInterval(() => {
		tick++;
		for (const container of engine.containers.values()) {
			const limit = container.config.resourceLimits.cpuLimitPercent ?? 150;
			container.cpuPercent = Math.max(0, Math.min(limit, container.cpuPercent + Math.sin(tick / 3 + container.pids) * 8));
			container.memoryMb = Math.max(8, container.memoryMb + Math.cos(tick / 5 + container.pids) * 4);
			container.blockReadBytes += 4096 * (tick % 3);
		}
	}, 250);
	let line = 0;
	const logs =
		logRate > 0
			? setInterval(() => {
					const first = engine.containers.values().next().value;
					if (!first) return;
					const batch = Array.from({length: Math.ceil(logRate / 10)}, () => `request ${++line} handled in ${line % 97} ms`);
					engine.emitLogs(first.meta.name, batch);
					engine.emitLog(first.meta.name, `slow request ${line}: ${line % 900} ms`, 'stderr');
				}, 100)
			: null;
	return () => {
		clearInterval(metrics);
		if (logs) clearInterval(logs);
	};
}

async function main(): Promise<void> {
	const {values} = parseArgs({
		options: {
			containers: {type: 'string', default: '12'},
			interval: {type: 'string'},
			'log-rate': {type: 'string', default: '5'},
		},
	});
	const engine = new FakeEngine();
	// Like a capped log file: the double must not be what grows during a long run.
	engine.logLimit = 10_000;
	populate(engine, Number(values.containers));
	const stop = animate(engine, Number(values['log-rate']));
	try {
		await runTop(engine, values.interval ? {interval: Number(values.interval)} : {});
	} finally {
		stop();
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
