// The built c32 CLI on a scratch storage root under /var/tmp, for the benchmarks that drive
// it as a user does: run it, find its monitors, remove everything it made and check that
// nothing is left (no process, no mount, no bridge of this storage root).
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {mountsDir} from '../engine/paths.js';
import {tempDir} from './podman-side.js';
import {type ProcInfo, processes, withDescendants} from './proc-memory.js';

const exec = promisify(execFile);
export const CLI = fileURLToPath(new URL('../bundle/c32.cjs', import.meta.url));

export class ScratchC32 {
	readonly dir: string;
	readonly env: NodeJS.ProcessEnv;

	constructor(prefix = 'c32-bench-') {
		this.dir = tempDir(prefix);
		this.env = {...process.env, C32_STORAGE_DIR: this.dir};
	}

	/** Runs `c32 ARGS` and returns its stdout; rejects with its last stderr line on failure. */
	async cli(...args: string[]): Promise<string> {
		try {
			return (await exec(process.execPath, [CLI, ...args], {env: this.env, maxBuffer: 64 * 1024 * 1024})).stdout;
		} catch (error) {
			const stderr = String((error as {stderr?: string}).stderr ?? '').trim();
			throw new Error(stderr.split('\n').pop() || (error as Error).message);
		}
	}

	async timed(...args: string[]): Promise<{ms: number; stdout: string}> {
		const started = process.hrtime.bigint();
		const stdout = await this.cli(...args);
		return {ms: Number(process.hrtime.bigint() - started) / 1e6, stdout};
	}

	async ids(): Promise<string[]> {
		return (await this.cli('ps', '-aq', '--no-trunc')).split('\n').filter(Boolean);
	}

	/** The pids of the running containers' own first processes (what `ps --json` reports). */
	async containerPids(): Promise<number[]> {
		const list = JSON.parse(await this.cli('ps', '--json')) as {pid: number | null}[];
		return list.map((c) => c.pid).filter((pid): pid is number => typeof pid === 'number' && pid > 0);
	}

	/** Each container's monitor: its first process's parent (conmon, or the process driver's supervisor). */
	monitorsOf(all: readonly ProcInfo[], containerPids: readonly number[]): Set<number> {
		const own = withDescendants(all, containerPids);
		const byPid = new Map(all.map((p) => [p.pid, p]));
		const out = new Set<number>();
		for (const pid of containerPids) {
			const parent = byPid.get(pid)?.ppid;
			if (parent && parent > 1 && !own.has(parent)) out.add(parent);
		}
		return out;
	}

	/**
	 * c32's processes for this storage root that are not a container's own: the containers'
	 * monitors and anything else whose command line names the storage root.
	 */
	monitorPids(all: readonly ProcInfo[], containerPids: readonly number[]): Set<number> {
		const own = withDescendants(all, containerPids);
		const out = this.monitorsOf(all, containerPids);
		for (const p of all) if (p.cmdline.includes(this.dir) && !own.has(p.pid) && p.pid !== process.pid) out.add(p.pid);
		return out;
	}

	/** `rm -f` of every container in batches of `batch` ids; the time of the removals alone. */
	async removeAll(batch = 50): Promise<{ms: number; removed: number; errors: string[]}> {
		const ids = await this.ids();
		const errors: string[] = [];
		let ms = 0;
		for (let at = 0; at < ids.length; at += batch) {
			const slice = ids.slice(at, at + batch);
			try {
				ms += (await this.timed('rm', '-f', ...slice)).ms;
			} catch (error) {
				errors.push(`rm -f of ${slice.length} (from #${at + 1}): ${(error as Error).message}`);
			}
		}
		const left = (await this.ids().catch(() => [])).length;
		return {ms, removed: ids.length - left, errors};
	}

	/** What this storage root left on the host: processes, mounts, network bridges. */
	leftovers(): {pids: number[]; mounts: string[]; links: string[]} {
		const all = processes();
		const named = all.filter((p) => p.cmdline.includes(this.dir) && p.pid !== process.pid).map((p) => p.pid);
		const mounts = fs
			.readFileSync('/proc/self/mountinfo', 'utf8')
			.split('\n')
			.map((line) => line.split(' ')[4] ?? '')
			.filter((m) => m.startsWith(`${this.dir}/`) || m.startsWith(`${mountsDir({storageDir: this.dir, runtimeDir: ''})}/`));
		const links = fs.readdirSync('/sys/class/net').filter((link) => {
			try {
				return fs.readFileSync(`/sys/class/net/${link}/ifalias`, 'utf8').trim() === `c32 ${this.dir}`;
			} catch {
				return false;
			}
		});
		return {pids: [...withDescendants(all, named)], mounts, links};
	}

	/**
	 * Removes every container and network, then checks the host: what is left is reported
	 * (returned, one line each) and then cleaned by force, so a failed run leaves nothing.
	 */
	async dispose(): Promise<string[]> {
		const problems: string[] = [];
		const removal = await this.removeAll().catch((error: Error) => ({errors: [error.message]}));
		problems.push(...removal.errors);
		const networks = (await this.cli('network', 'ls', '-q').catch(() => '')).split('\n').filter(Boolean);
		for (const network of networks)
			await this.cli('network', 'rm', network).catch((e: Error) => problems.push(`network rm ${network}: ${e.message}`));
		const left = this.leftovers();
		if (left.pids.length > 0) problems.push(`${left.pids.length} processes left (killed): ${left.pids.slice(0, 5).join(' ')}…`);
		if (left.mounts.length > 0) problems.push(`${left.mounts.length} mounts left (unmounted): ${left.mounts[0]}…`);
		if (left.links.length > 0) problems.push(`network links left (deleted): ${left.links.join(' ')}`);
		for (const pid of left.pids) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone already
			}
		}
		for (const mount of left.mounts.reverse()) await exec('umount', ['-l', mount]).catch(() => undefined);
		for (const link of left.links) await exec('ip', ['link', 'delete', link]).catch(() => undefined);
		fs.rmSync(this.dir, {recursive: true, force: true});
		return problems;
	}
}
