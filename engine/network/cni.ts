// The CNI protocol (github.com/containernetworking/cni SPEC.md, version 1.0): each plugin of a
// list is an executable that reads its configuration on stdin, takes the command and the
// container from the environment, and answers a result or an error as JSON on stdout.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import type {Conflist, PluginConfig} from './conflist.js';

/** Where Debian's containernetworking-plugins and the upstream tarball put the plugins. */
export const CNI_PLUGIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];

/** The first plugin directory with a bridge plugin, or null when the plugins are not installed. */
export function findPluginDir(): string | null {
	return CNI_PLUGIN_DIRS.find((dir) => fs.existsSync(path.join(dir, 'bridge'))) ?? null;
}

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

export interface CniInterface {
	name: string;
	mac?: string;
	sandbox?: string;
}

export interface CniResult {
	cniVersion: string;
	interfaces?: CniInterface[];
	ips?: {interface?: number; address: string; gateway?: string}[];
	routes?: {dst: string; gw?: string}[];
	dns?: Record<string, unknown>;
}

export interface CniTarget {
	containerId: string;
	/** The bound network namespace file. */
	netns: string;
	ifName: string;
}

const PLUGIN_TIMEOUT_MS = 60_000;

/**
 * ADD runs the plugins in order, each given the previous one's result (prevResult); if one
 * fails, what the earlier ones did is deleted again. DEL runs them in reverse, each given the
 * cached result of the ADD, runs them all even when one fails, and throws the first failure.
 * CHECK runs them in order with the cached result. Returns ADD's final result (else the cached one).
 * `onStep` hears ADD's result after each plugin, before the next one runs.
 */
export async function runConflist(
	command: CniCommand,
	conflist: Conflist,
	target: CniTarget,
	cachedResult?: CniResult,
	onStep?: (result: CniResult) => void,
): Promise<CniResult | null> {
	const pluginDir = findPluginDir();
	if (pluginDir === null) {
		throw new C32Error(
			'UNSUPPORTED',
			`the CNI plugins are not installed (looked in ${CNI_PLUGIN_DIRS.join(', ')}): apt-get install containernetworking-plugins`,
		);
	}
	if (command === 'ADD') {
		let result: CniResult | undefined;
		for (const plugin of conflist.plugins) {
			try {
				result = (await runPlugin(pluginDir, 'ADD', conflist, plugin, target, result)) ?? result;
				if (result) onStep?.(result);
			} catch (error) {
				await runConflist('DEL', conflist, target, result).catch(() => {});
				throw error;
			}
		}
		return result ?? null;
	}
	if (command === 'CHECK') {
		for (const plugin of conflist.plugins) await runPlugin(pluginDir, 'CHECK', conflist, plugin, target, cachedResult);
		return cachedResult ?? null;
	}
	let firstError: unknown;
	for (const plugin of [...conflist.plugins].reverse()) {
		try {
			await runPlugin(pluginDir, 'DEL', conflist, plugin, target, cachedResult);
		} catch (error) {
			firstError ??= error;
		}
	}
	if (firstError !== undefined) throw firstError;
	return cachedResult ?? null;
}

/** The configuration a plugin reads: its own entry with the list's name and version, and the previous result. */
export function pluginInput(conflist: Conflist, plugin: PluginConfig, prevResult: CniResult | undefined): Record<string, unknown> {
	return {
		...plugin,
		cniVersion: conflist.cniVersion,
		name: conflist.name,
		...(prevResult === undefined ? {} : {prevResult}),
	};
}

function runPlugin(
	pluginDir: string,
	command: CniCommand,
	conflist: Conflist,
	plugin: PluginConfig,
	target: CniTarget,
	prevResult: CniResult | undefined,
): Promise<CniResult | null> {
	const what = `network ${conflist.name}: the CNI plugin ${plugin.type} (${command})`;
	return new Promise((resolve, reject) => {
		const child = spawn(path.join(pluginDir, plugin.type), [], {
			env: {
				PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
				CNI_COMMAND: command,
				CNI_CONTAINERID: target.containerId,
				CNI_NETNS: target.netns,
				CNI_IFNAME: target.ifName,
				CNI_PATH: pluginDir,
			},
			stdio: ['pipe', 'pipe', 'pipe'],
			timeout: PLUGIN_TIMEOUT_MS,
		});
		const stdout: Buffer[] = [];
		const stderr: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
		child.once('error', (error) => reject(new C32Error('RUNTIME_ERROR', `${what} could not run: ${error.message}`)));
		child.once('close', (code, signal) => {
			const out = Buffer.concat(stdout).toString('utf8');
			if (code === 0) {
				try {
					resolve(out.trim() === '' ? null : (JSON.parse(out) as CniResult));
				} catch {
					reject(new C32Error('RUNTIME_ERROR', `${what} answered something that is not JSON: ${out.slice(0, 200)}`));
				}
				return;
			}
			const reason =
				pluginError(out) ?? (Buffer.concat(stderr).toString('utf8').trim() || (signal ? `killed by ${signal}` : `exit code ${code}`));
			reject(new C32Error('RUNTIME_ERROR', `${what} failed: ${reason}`));
		});
		child.stdin.on('error', () => {}); // a plugin that exits without reading its input
		child.stdin.end(JSON.stringify(pluginInput(conflist, plugin, prevResult)));
	});
}

/** "msg; details" of a plugin's error answer ({code, msg, details}), on one line; null when it is not one. */
export function pluginError(stdout: string): string | null {
	try {
		const error = JSON.parse(stdout) as {code?: unknown; msg?: unknown; details?: unknown};
		if (typeof error?.msg !== 'string') return null;
		const details = typeof error.details === 'string' && error.details !== '' ? `; ${error.details}` : '';
		return `${error.msg}${details}`.replace(/\s*\n\s*/g, ' ');
	} catch {
		return null;
	}
}
