// The store's lock (engine/fs/dir-lock.ts) across processes: a dead holder's lock is taken
// over at once, a live holder's never; several processes finding one stale lock each get it
// in turn, never two at once and never a "container was removed".
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type TestContext, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {processStartTime} from '../../engine/host-facts.js';
import {withLock} from '../../engine/store.js';

const STORE_MODULE = fileURLToPath(new URL('../../engine/store.js', import.meta.url));

/**
 * A process that waits until `at`, then takes the lock on `file` and holds it 5 ms. While it
 * holds it, it keeps `<file>.inside` (made with O_EXCL): a second holder at once says `overlap`.
 */
function contender(file: string, at: number): Promise<string> {
	const inside = JSON.stringify(`${file}.inside`);
	const script = `
		const fs = await import('node:fs');
		const {withLock} = await import(${JSON.stringify(STORE_MODULE)});
		await new Promise((r) => setTimeout(r, ${at} - Date.now()));
		let overlap = false;
		const hold = async () => {
			try { fs.writeFileSync(${inside}, '', {flag: 'wx'}); } catch { overlap = true; return; }
			await new Promise((r) => setTimeout(r, 5));
			fs.rmSync(${inside});
		};
		try { await withLock(${JSON.stringify(file)}, hold, {}); console.log(overlap ? 'overlap' : 'ok'); }
		catch (error) { console.log(error.code ?? error.message); }`;
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'inherit']});
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		child.on('exit', () => resolve(out.trim()));
	});
}

function scratchFile(t: TestContext): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-lock-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'state.json');
	fs.writeFileSync(file, '{}');
	return file;
}

/** An owner line naming a process that has ended and been reaped (should its pid come back, the start time differs). */
async function deadProcess(): Promise<string> {
	const child = spawn('true');
	await new Promise((resolve) => child.on('exit', resolve));
	return `${child.pid} ${processStartTime(process.pid)}\n`;
}

/** A lock as a holder leaves it: named (`owner`) or not, with an mtime `ageMs` old. */
function leaveLock(file: string, owner: string | null, ageMs = 0): void {
	fs.mkdirSync(`${file}.lock`);
	if (owner !== null) fs.writeFileSync(`${file}.lock/owner`, owner);
	const at = new Date(Date.now() - ageMs);
	fs.utimesSync(`${file}.lock`, at, at);
}

for (const [what, leave] of [
	['named by its SIGKILLed holder', async (file: string) => leaveLock(file, await deadProcess())],
	['left by an older c32: unnamed, past the 5 s after which it counts as stale', async (file: string) => leaveLock(file, null, 60_000)],
] as const) {
	test(`processes racing to take over one stale lock (${what}) each get it in turn; none is told the container was removed`, async (t) => {
		const file = scratchFile(t);
		const outcomes: string[] = [];
		for (let round = 0; round < 10; round++) {
			await leave(file);
			const at = Date.now() + 400;
			outcomes.push(...(await Promise.all([...Array.from({length: 8}, () => contender(file, at))])));
			assert.equal(fs.existsSync(`${file}.lock`), false, 'a lock was left behind');
			assert.equal(fs.existsSync(`${file}.lock.break`), false, 'a break lock was left behind');
		}
		assert.deepEqual(
			outcomes.filter((o) => o !== 'ok'),
			[],
		);
	});
}

test('the lock of a dead holder is taken at once; a live holder’s and one being made are not', async (t) => {
	const file = scratchFile(t);
	leaveLock(file, await deadProcess());
	const began = Date.now();
	assert.equal(await withLock(file, () => 'taken', {waitMs: 0}), 'taken');
	assert.ok(Date.now() - began < 1000);
	assert.equal(fs.existsSync(`${file}.lock`), false);

	const holder = spawn('sleep', ['30']);
	t.after(() => holder.kill('SIGKILL'));
	leaveLock(file, `${holder.pid} ${processStartTime(holder.pid!)}\n`, 60_000);
	await assert.rejects(
		withLock(file, () => 'taken', {waitMs: 200}),
		(error: {code?: string}) => error.code === 'LOCK_TIMEOUT',
	);
	fs.rmSync(`${file}.lock`, {recursive: true});

	// Made a moment ago, its holder not named yet.
	leaveLock(file, null);
	await assert.rejects(
		withLock(file, () => 'taken', {waitMs: 0}),
		(error: {code?: string}) => error.code === 'LOCK_BUSY',
	);
});

test('the lock names its holder while held and is gone after, also when fn throws', async (t) => {
	const file = scratchFile(t);
	const seen = await withLock(file, () => [fs.readFileSync(`${file}.lock/owner`, 'utf8'), fs.statSync(`${file}.lock`).mode & 0o777], {});
	assert.deepEqual(seen, [`${process.pid} ${processStartTime(process.pid)}\n`, 0o700]);
	await assert.rejects(
		withLock(
			file,
			() => {
				throw new Error('inside');
			},
			{},
		),
		/inside/,
	);
	assert.equal(fs.existsSync(`${file}.lock`), false);
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
