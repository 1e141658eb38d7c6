// A separate c32 process for the tests: `node child.js --c32-child <storageDir> <op> [json]`.
// Prints one JSON line: {"ok": ...} or {"error": code, "message": ...}.
// Without --c32-child it does nothing, so importing it for CHILD_SCRIPT has no effect.
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {type ContainerConfig, getEngine, isC32Error} from '../../engine/index.js';

export const CHILD_SCRIPT = fileURLToPath(import.meta.url);

export interface ChildResult {
	ok?: unknown;
	error?: string;
	message?: string;
}

/** Runs one engine operation in a fresh node process and returns what it printed. */
export function runChild(storageDir: string, op: string, arg: unknown = null): Promise<ChildResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [CHILD_SCRIPT, '--c32-child', storageDir, op, JSON.stringify(arg)], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		let err = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		child.stderr.on('data', (d: Buffer) => (err += d.toString()));
		child.on('error', reject);
		child.on('close', (code) => {
			const line = out.trim().split('\n').pop() ?? '';
			try {
				resolve(JSON.parse(line) as ChildResult);
			} catch {
				reject(new Error(`child ${op} exited ${code} without a result: ${out} ${err}`));
			}
		});
	});
}

async function main(storageDir: string, op: string, arg: unknown): Promise<unknown> {
	const engine = getEngine({storageDir});
	// The engine is loaded: a test that SIGKILLs this process times its kill from here.
	process.stdout.write(`${JSON.stringify({progress: 'ready'})}\n`);
	switch (op) {
		case 'create':
			return engine.createContainer(arg as ContainerConfig);
		case 'create-start': {
			const meta = await engine.createContainer(arg as ContainerConfig);
			return engine.startContainer(meta.id);
		}
		case 'create-start-many': {
			// For the kill -9 tests: keeps creating and starting until killed.
			const {count, config} = arg as {count: number; config: ContainerConfig};
			const ids: string[] = [];
			for (let i = 0; i < count; i++) {
				const meta = await engine.createContainer({...config, name: `${config.name ?? 'many'}-${i}`});
				process.stdout.write(`${JSON.stringify({progress: 'created', id: meta.id})}\n`);
				await engine.startContainer(meta.id);
				process.stdout.write(`${JSON.stringify({progress: 'started', id: meta.id})}\n`);
				ids.push(meta.id);
			}
			return ids;
		}
		case 'start':
			return engine.startContainer(arg as string);
		case 'list':
			return engine.listContainers();
		case 'get':
			return engine.getContainer(arg as string);
		case 'stop':
			return engine.stopContainer(arg as string, {timeout: 1});
		case 'restart':
			return engine.restartContainer(arg as string, {timeout: 1});
		case 'remove':
			return engine.removeContainer(arg as string, {force: true});
		default:
			throw new Error(`unknown op ${op}`);
	}
}

if (process.argv[2] === '--c32-child') {
	const [, , , storageDir, op, json] = process.argv;
	try {
		const result = await main(storageDir!, op!, json ? JSON.parse(json) : null);
		process.stdout.write(`${JSON.stringify({ok: result ?? null})}\n`);
	} catch (error) {
		const code = isC32Error(error) ? error.code : 'EXCEPTION';
		process.stdout.write(`${JSON.stringify({error: code, message: error instanceof Error ? error.message : String(error)})}\n`);
	}
}
