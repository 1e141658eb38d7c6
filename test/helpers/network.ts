// Helpers for tests of real networks: the "needs the CNI plugins" gate, programs run inside
// a network namespace, and what a container's network can leave behind on the host.
// Not a test file: `npm test` runs only *.test.js files.
import assert from 'node:assert/strict';
import {type ChildProcess, execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {TestContext} from 'node:test';
import {NetworkStore} from '../../engine/network/store.js';
import type {StorageLayout} from '../../engine/paths.js';
import {IN_CI, runtimeProblem} from './engine.js';

/** Why real networks cannot be made here, or null when they can. */
export function networkProblem(): string | null {
	const problems: string[] = [];
	const runtime = runtimeProblem();
	if (runtime) problems.push(runtime);
	if (!fs.existsSync('/usr/lib/cni/bridge'))
		problems.push('the CNI plugins are not installed (apt-get install -y containernetworking-plugins)');
	for (const tool of ['iptables-save', 'nft', 'nsenter', 'unshare', 'ip']) {
		if (!['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((dir) => fs.existsSync(path.join(dir, tool))))
			problems.push(`${tool} is not installed`);
	}
	return problems.length ? problems.join('; ') : null;
}

/** Gate for a test that makes real networks: skips without them, fails in CI. */
export function needsNetworkStack(t: TestContext): boolean {
	const problem = networkProblem();
	if (problem === null) return true;
	if (IN_CI) assert.fail(`this test needs real networks and CI must provide them: ${problem}`);
	t.skip(problem);
	return false;
}

/** Removes every network of a storage root (and so its bridge). */
export async function removeNetworksOf(layout: StorageLayout): Promise<void> {
	const store = new NetworkStore(layout);
	for (const network of store.list()) {
		await store.remove(network.name, []).catch((error) => process.stderr.write(`cleanup: network ${network.name}: ${String(error)}\n`));
	}
}

/** Runs node with `script` inside the network namespace bound at `netns`; its stdout once it exits 0. */
export function nodeInNetns(netns: string, script: string, args: string[] = [], timeoutMs = 30_000): string {
	return execFileSync('nsenter', [`--net=${netns}`, process.execPath, '-e', script, ...args], {encoding: 'utf8', timeout: timeoutMs});
}

/** Starts node with `script` in the namespace, resolving once it prints its first line (e.g. "listening"). */
export async function serverInNetns(t: TestContext, netns: string, script: string, args: string[] = []): Promise<ChildProcess> {
	const child = spawn('nsenter', [`--net=${netns}`, process.execPath, '-e', script, ...args], {stdio: ['ignore', 'pipe', 'inherit']});
	t.after(() => {
		child.kill('SIGKILL');
	});
	await new Promise<void>((resolve, reject) => {
		child.once('exit', (code) => reject(new Error(`the server in ${netns} exited (${code}) before it listened`)));
		child.stdout?.once('data', () => resolve());
	});
	return child;
}

/** What of a container's network is on the host: interfaces, nat/filter rules naming it, its leases, netns, result files and roster entries. */
export function networkTracesOf(layout: StorageLayout, id: string, hostInterfaces: string[] = []): string[] {
	const traces: string[] = [];
	for (const name of hostInterfaces) if (fs.existsSync(`/sys/class/net/${name}`)) traces.push(`interface ${name}`);
	for (const line of execFileSync('iptables-save', {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).split('\n'))
		if (line.includes(id)) traces.push(`iptables: ${line}`);
	for (const line of execFileSync('nft', ['list', 'ruleset'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).split('\n'))
		if (line.includes(id)) traces.push(`nft: ${line}`);
	const leases = path.join(layout.runtimeDir, 'cni', 'leases');
	for (const network of listDir(leases)) {
		for (const lease of listDir(path.join(leases, network))) {
			const file = path.join(leases, network, lease);
			if (fs.readFileSync(file, 'utf8').includes(id)) traces.push(`lease ${file}`);
		}
	}
	const netns = path.join(layout.runtimeDir, 'netns', id.slice(0, 16));
	if (fs.existsSync(netns)) traces.push(`netns ${netns}`);
	if (fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(netns)) traces.push(`mount ${netns}`);
	// <id>.json, and <id>.<interface>.json for each further network.
	for (const file of listDir(path.join(layout.runtimeDir, 'cni', 'results'))) if (file.startsWith(id)) traces.push(`result ${file}`);
	for (const roster of listDir(path.join(layout.runtimeDir, 'cni', 'names'))) {
		const file = path.join(layout.runtimeDir, 'cni', 'names', roster);
		if (roster.endsWith('.json') && fs.readFileSync(file, 'utf8').includes(id)) traces.push(`roster ${roster}`);
	}
	return traces;
}

function listDir(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}
