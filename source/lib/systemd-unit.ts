// The systemd unit `c32 system install-boot` writes: a oneshot service that runs
// `c32 system boot` once the network is up. Pure, so its text is tested without systemd.
import {UsageError} from './errors.js';

export const BOOT_UNIT_NAME = 'c32-boot.service';
export const SYSTEM_UNIT_DIR = '/etc/systemd/system';

/** The settings that point c32 at its containers; a unit's c32 must see the same ones. */
export const CARRIED_ENVIRONMENT = ['C32_STORAGE_DIR', 'CONTAINER_STORAGE_DIR', 'C32_RUNTIME_DIR', 'C32_RUNTIME'];

export interface BootUnitInputs {
	/** Absolute path of node and of c32's cli.js: ExecStart must not depend on PATH at boot. */
	node: string;
	cli: string;
	/** Settings the boot run needs to find the same containers (a non-default storage or runtime dir). */
	environment: Record<string, string>;
}

export function bootUnitText({node, cli, environment}: BootUnitInputs): string {
	for (const file of [node, cli]) {
		if (!file.startsWith('/')) throw new UsageError(`${file} is not an absolute path: install-boot needs one for ExecStart`);
	}
	const env = Object.entries(environment).map(([key, value]) => `Environment=${quote(`${key}=${value}`)}\n`);
	return [
		'[Unit]\n',
		'Description=Start c32 containers after boot (restart policies always and unless-stopped)\n',
		'Wants=network-online.target\n',
		'After=network-online.target local-fs.target\n',
		'\n',
		'[Service]\n',
		'Type=oneshot\n',
		// The started containers' monitors (conmon) stay in this unit's cgroup: the unit stays
		// active, and stopping it must not kill them.
		'RemainAfterExit=yes\n',
		'KillMode=process\n',
		'TimeoutStartSec=5min\n',
		...env,
		`ExecStart=${[node, cli, 'system', 'boot'].map(execWord).join(' ')}\n`,
		'\n',
		'[Install]\n',
		'WantedBy=multi-user.target\n',
	].join('');
}

/** A word of ExecStart: quoted when needed, with systemd's specifiers (%) and variables ($) escaped. */
export function execWord(word: string): string {
	const escaped = word.replaceAll('$', '$$$$');
	return /^[A-Za-z0-9_./:=@+-]+$/.test(escaped) ? escaped.replaceAll('%', '%%') : quote(escaped);
}

/** A quoted value (Environment=, ExecStart's words): backslash and quote escaped, specifiers too; control characters refused. */
export function quote(text: string): string {
	if (/[\u0000-\u001f\u007f]/.test(text))
		throw new UsageError(`${JSON.stringify(text)} has a control character: a unit file cannot hold it`);
	return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%')}"`;
}
