// Persistent network namespaces: a namespace bound to a file, as `ip netns` keeps them,
// made with util-linux's unshare so that no process has to stay alive to hold it.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {C32Error} from '../errors.js';
import {hasOwnFilesystem} from '../fs/mount.js';

const run = promisify(execFile);
const TOOL_ENV = {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C'};

/** A new network namespace (loopback only, down) bound at `file`; whatever was bound there before is let go first. */
export async function createNetns(file: string): Promise<void> {
	await removeNetns(file);
	fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	// unshare binds the namespace onto an existing file.
	fs.closeSync(fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600));
	try {
		await run('unshare', [`--net=${file}`, 'true'], {env: TOOL_ENV, timeout: 30_000});
	} catch (error) {
		fs.rmSync(file, {force: true});
		const stderr = String((error as {stderr?: string}).stderr ?? '').trim();
		throw new C32Error('RUNTIME_ERROR', `cannot create a network namespace at ${file}: ${stderr || (error as Error).message}`);
	}
}

/** Unbinds and deletes a namespace file; nothing there is fine. The namespace ends with its last user. */
export async function removeNetns(file: string): Promise<void> {
	if (hasOwnFilesystem(file)) await unbind(file);
	fs.rmSync(file, {force: true});
}

async function unbind(file: string): Promise<void> {
	try {
		await run('umount', [file], {env: TOOL_ENV, timeout: 30_000});
	} catch {
		try {
			await run('umount', ['--lazy', file], {env: TOOL_ENV, timeout: 30_000});
		} catch (error) {
			if (hasOwnFilesystem(file)) {
				const stderr = String((error as {stderr?: string}).stderr ?? '').trim();
				throw new C32Error('RUNTIME_ERROR', `cannot unmount ${file}: ${stderr.split('\n').pop() || (error as Error).message}`);
			}
		}
	}
}
