import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {IMAGE_HEADERS, imageRows, imagesToShow, shortImageId} from '../lib/image-view.js';
import {writeJson} from '../lib/json.js';
import {renderTable} from '../lib/table.js';

export const spec = defineCommand({
	name: 'images',
	help: `
Usage
  $ c32 images [options]      (also: c32 image ls)

List the OCI images of this storage root, newest first: one row per name. Untagged images
(a tag that moved on, an image kept for a container after rmi -f) show with -a as
<none> <none>; c32 image prune removes those no container uses.

Options
  -a, --all      Untagged images too
  -q, --quiet    Only the image ids, one per line
  --json         A JSON array: id, names, digest, size, created, storedAt (docs/cli.md)
  --no-trunc     Full image ids

Examples
  $ c32 images
  $ c32 images --json | jq -r '.[].names[]'
  $ c32 rmi $(c32 images -aq)`,
	flags: {
		all: {type: 'boolean', shortFlag: 'a'},
		quiet: {type: 'boolean', shortFlag: 'q'},
		json: {type: 'boolean'},
		trunc: {type: 'boolean', default: true},
	},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	const images = imagesToShow(await engine.listImages(), flags.all === true);
	if (flags.json) {
		writeJson(ctx.stdout, images);
		return 0;
	}
	if (flags.quiet) {
		ctx.stdout.write(images.map((image) => `${flags.trunc ? shortImageId(image.id) : image.id}\n`).join(''));
		return 0;
	}
	ctx.stdout.write(renderTable(IMAGE_HEADERS, imageRows(images, ctx.now(), !flags.trunc)));
	return 0;
}
