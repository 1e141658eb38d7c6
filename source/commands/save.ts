import type {ArchiveFormat} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import {choiceFlag} from '../lib/checked-flags.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {absolute} from '../lib/image-flags.js';

export const spec = defineCommand({
	name: 'save',
	help: `
Usage
  $ c32 save IMAGE -o FILE [options]      (also: c32 image save)

Write an image to an archive that c32 load, podman load and docker load read.

Options
  -o, --output FILE   The archive to write
  --format FORMAT     oci-archive (default) or docker-archive

Examples
  $ c32 save localhost/tools:1 -o tools.tar
  $ c32 save tools:1 --format docker-archive -o tools-docker.tar && docker load -i tools-docker.tar`,
	flags: {output: {type: 'string', shortFlag: 'o'}, format: {type: 'string'}},
	operands: {min: 1, max: 1, label: 'name or id of an image'},
});

const FORMATS: readonly ArchiveFormat[] = ['oci-archive', 'docker-archive'];

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	if (flags.output === undefined || flags.output === '-') throw new UsageError('"c32 save" writes a file: give it with -o FILE');
	const format = choiceFlag('--format', flags.format ?? 'oci-archive', FORMATS);
	await (await ctx.engine()).saveImage(operands[0]!, absolute(flags.output, ctx.cwd), {format});
	return 0;
}
