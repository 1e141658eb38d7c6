// A cross-process lock: the directory `<file>.lock` (mkdir is atomic), with its holder's pid
// and start time inside. A lock whose holder has died is stale at once and taken over; one
// without a holder named yet (being made, or left by an older c32) is stale once its mtime is
// older than STALE_MS. Taking over goes through a second lock, `<file>.lock.break`, so that two
// processes judging one stale lock never remove a lock a third has just taken.
//
// Our own rather than proper-lockfile's: loading it (and graceful-fs) cost every command that
// locks about 15 ms, and a holder here needs no timer refreshing its mtime.
import fs from 'node:fs';
import {isProcessAlive, processStartTime} from '../host-facts.js';

/** A lock with no holder named in it is taken over once it is this old. */
export const STALE_MS = 5000;

export interface LockHeld {
	release(): void;
}

/** Tries once: the lock held, or null when another live process holds it. Throws what mkdir throws (ENOENT, ENOSPC…). */
export function tryLock(file: string): LockHeld | null {
	const lock = `${file}.lock`;
	if (takeDir(lock)) return held(lock);
	if (!isStale(lock)) return null;
	breakStale(lock);
	return takeDir(lock) ? held(lock) : null;
}

function takeDir(lock: string): boolean {
	try {
		fs.mkdirSync(lock, {mode: 0o700});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	}
	try {
		fs.writeFileSync(`${lock}/owner`, ownerLine(), {flag: 'wx', mode: 0o600});
	} catch {
		// A full disk: the lock holds without a name, as long as STALE_MS says.
	}
	return true;
}

let thisOwner: string | undefined;
/** This process as a lock names it: read from /proc once, though a command takes several locks. */
const ownerLine = () => (thisOwner ??= `${process.pid} ${processStartTime(process.pid)}\n`);

function held(lock: string): LockHeld {
	return {release: () => fs.rmSync(lock, {recursive: true, force: true})};
}

/** Whether `lock` is held by nobody alive. Gone meanwhile counts as stale: the next mkdir decides. */
function isStale(lock: string): boolean {
	const owner = readOwner(lock);
	if (owner !== null) return !isProcessAlive(owner.pid, owner.startTime);
	try {
		return Date.now() - fs.statSync(lock).mtimeMs > STALE_MS;
	} catch {
		return true;
	}
}

function readOwner(lock: string): {pid: number; startTime: number} | null {
	let text: string;
	try {
		const fd = fs.openSync(`${lock}/owner`, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
		try {
			text = fs.readFileSync(fd, 'utf8');
		} finally {
			fs.closeSync(fd);
		}
	} catch {
		return null;
	}
	const match = /^(\d+) (\d+)\n$/.exec(text);
	return match ? {pid: Number(match[1]), startTime: Number(match[2])} : null;
}

/**
 * Removes `lock` if it is still stale once the break lock is held; a process that cannot get
 * the break lock leaves it to the one that has it. A break lock is held for microseconds: one
 * left by a breaker that died there is stale by the same rule.
 */
function breakStale(lock: string): void {
	const breaker = `${lock}.break`;
	if (!takeDir(breaker)) {
		if (isStale(breaker)) fs.rmSync(breaker, {recursive: true, force: true});
		return;
	}
	try {
		if (isStale(lock)) fs.rmSync(lock, {recursive: true, force: true});
	} finally {
		held(breaker).release();
	}
}
