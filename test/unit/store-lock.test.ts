// The store's lock under a takeover race: several processes finding one stale lock (its
// holder was SIGKILLed) must each get the lock in turn, never a "container was removed".
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {withLock} from '../../engine/store.js';

const STORE_MODULE = fileURLToPath(new URL('../../engine/store.js', import.meta.url));

/** A process that waits until `at`, then takes the lock on `file` and holds it 5 ms. */
function contender(file: string, at: number): Promise<string> {
	const script = `
		const {withLock} = await import(${JSON.stringify(STORE_MODULE)});
		await new Promise((r) => setTimeout(r, ${at} - Date.now()));
		try { await withLock(${JSON.stringify(file)}, () => new Promise((r) => setTimeout(r, 5)), {}); console.log('ok'); }
		catch (error) { console.log(error.code ?? error.message); }`;
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'inherit']});
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		child.on('exit', () => resolve(out.trim()));
	});
}

test('processes racing to take over one stale lock all get it; none is told the container was removed', async (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-lock-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'state.json');
	fs.writeFileSync(file, '{}');
	const outcomes: string[] = [];
	for (let round = 0; round < 20; round++) {
		// The lock a SIGKILLed holder left: older than the 5 s after which it counts as stale.
		fs.mkdirSync(`${file}.lock`);
		const old = new Date(Date.now() - 60_000);
		fs.utimesSync(`${file}.lock`, old, old);
		const at = Date.now() + 400;
		outcomes.push(...(await Promise.all([...Array.from({length: 8}, () => contender(file, at))])));
		assert.equal(fs.existsSync(`${file}.lock`), false, 'a lock was left behind');
	}
	assert.deepEqual(
		outcomes.filter((o) => o !== 'ok'),
		[],
	);
});

test('a lock whose directory is gone is NOT_FOUND at once', async () => {
	const dir = path.join(os.tmpdir(), `c32-lock-gone-${process.pid}`);
	const started = Date.now();
	await assert.rejects(
		withLock(path.join(dir, 'state.json'), () => undefined, {}),
		(error: {code?: string}) => error.code === 'NOT_FOUND',
	);
	assert.ok(Date.now() - started < 2000);
});
