// The engine as a library: create, start, watch, stop and remove a worker.
// Run as root after `npm run build`: node dist/examples/api.js
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {getEngine, isC32Error} from '../engine/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const engine = getEngine();

try {
	const bot = await engine.createContainer({
		name: 'demo-bot',
		image: path.join(here, '../../examples/workers/bot.py'),
		environment: {BOT_ROLE: 'demo'},
		resourceLimits: {memoryLimitMb: 128, cpuLimitPercent: 50},
		restartPolicy: 'on-failure:3',
	});
	await engine.startContainer(bot.id);
	for (let i = 0; i < 3; i++) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const m = await engine.getContainerMetrics(bot.id);
		console.log(`cpu ${m.cpuPercent.toFixed(1)}%  memory ${m.memoryMb.toFixed(1)} MB of ${m.memoryLimitMb} MB  pids ${m.pids}`);
	}
	await engine.stopContainer(bot.id, {timeout: 5});
	for await (const entry of engine.getLogs(bot.id, {tail: 5})) console.log(`${entry.stream}: ${entry.line}`);
	await engine.removeContainer(bot.id);
} catch (error) {
	if (!isC32Error(error)) throw error;
	console.error(`error ${error.code}: ${error.message}`);
	process.exitCode = 1;
}
