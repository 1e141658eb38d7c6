import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {BOOT_UNIT_NAME, bootUnitText, CARRIED_ENVIRONMENT, SYSTEM_UNIT_DIR} from '../lib/systemd-unit.js';
import {thisCli, writeUnitFile} from '../lib/this-cli.js';

export const spec = defineCommand({
	name: 'system install-boot',
	help: `
Usage
  $ c32 system install-boot [--print] [--dir DIR]

Write the systemd unit c32-boot.service, which runs c32 system boot once at every boot
(after network-online.target), and enable it. It runs this c32 by absolute path, with
C32_STORAGE_DIR and C32_RUNTIME_DIR when they are set. Where systemd is not usable
(not PID 1, no systemctl) the unit is still written and the message says how to enable it.

Options
  --print     Print the unit instead of writing it
  --dir DIR   Write it into DIR instead of ${SYSTEM_UNIT_DIR} (not enabled there)

Examples
  $ c32 system install-boot --print
  $ c32 system install-boot`,
	flags: {print: {type: 'boolean'}, dir: {type: 'string'}},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const environment = Object.fromEntries(CARRIED_ENVIRONMENT.flatMap((key) => (ctx.env[key] ? [[key, ctx.env[key]]] : [])));
	const text = bootUnitText({node: process.execPath, cli: thisCli(), environment});
	if (flags.print) {
		ctx.stdout.write(text);
		return 0;
	}
	const dir = path.resolve(ctx.cwd, flags.dir ?? SYSTEM_UNIT_DIR);
	if (!fs.statSync(dir, {throwIfNoEntry: false})?.isDirectory()) {
		throw new UsageError(`${dir} is not a directory: create it, or give --dir an existing one`);
	}
	const file = path.join(dir, BOOT_UNIT_NAME);
	writeUnitFile(file, text);
	ctx.stdout.write(`wrote ${escapeControl(file)}\n`);
	if (flags.dir !== undefined) {
		ctx.stdout.write(`not enabled (--dir): link it into a multi-user.target.wants directory to run it at boot\n`);
		return 0;
	}
	const failure = enable();
	if (failure === null) {
		ctx.stdout.write(`enabled ${BOOT_UNIT_NAME}: c32 system boot runs at every boot\n`);
		return 0;
	}
	ctx.stderr.write(
		`c32: the unit is written but not enabled: systemctl is not usable here (${escapeControl(failure)}); run "systemctl enable ${BOOT_UNIT_NAME}" where systemd runs\n`,
	);
	return 1;
}

/** null when enabled, else why not (one line). */
function enable(): string | null {
	try {
		// sd_booted(3): systemd is PID 1 when this directory exists; only then does it need a reload.
		if (fs.existsSync('/run/systemd/system')) execFileSync('systemctl', ['daemon-reload'], {stdio: 'pipe'});
		execFileSync('systemctl', ['enable', BOOT_UNIT_NAME], {stdio: 'pipe'});
		return null;
	} catch (error) {
		const output = (error as {stderr?: Buffer}).stderr?.toString().trim().split('\n').pop();
		return output || (error as Error).message.split('\n')[0]!;
	}
}
