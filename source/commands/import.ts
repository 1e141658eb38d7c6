import type {ArchiveKind, Engine, ExportedState} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, type Parsed, parseArgs} from '../lib/args.js';
import {containerJson} from '../lib/container-view.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {absolute, changeFlag, changeFlagHelp, checkChanges, quietFlag} from '../lib/image-flags.js';
import {writeJson} from '../lib/json.js';
import {runTransfer} from '../lib/transfer.js';

export const spec = defineCommand({
	name: 'import',
	help: `
Usage
  $ c32 import [options] FILE                 a container: c32 export's JSON or --with-image tar
  $ c32 import [options] FILE NAME[:TAG]      an image: a tar of a root filesystem

What FILE holds is told by its content:
  - the JSON of c32 export ("-" reads it from stdin): the container is recreated, not
    started, and its id printed. A name already in use is an error: pick another with --name.
  - the tar of c32 export --with-image: the container and its image (stored first), so it
    works in another storage root or on another host.
  - any other tar (e.g. tar -C ROOTFS -c .): a one-layer image named NAME, its id printed.
  - an oci-archive or docker-archive: not here, use c32 load -i FILE.

Options
  --name NAME            Give the new container this name instead of the exported one
  --json                 Print the new container (as c32 create --json) or image as JSON${changeFlagHelp}
  -q, --quiet            No progress while an image is stored

Examples
  $ c32 import my-bot-state.json
  $ c32 import --name my-bot-2 my-bot-state.json && c32 start my-bot-2
  $ c32 import my-bot.tar
  $ tar -C /tmp/rootfs -c . > rootfs.tar && c32 import rootfs.tar tools:1 --change 'CMD ["/bin/sh"]'`,
	flags: {name: {type: 'string'}, json: {type: 'boolean'}, ...changeFlag, ...quietFlag},
	operands: {min: 1, max: 2, label: 'file and image name'},
});

type Flags = Parsed<typeof spec.flags>['flags'];

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const [file, name] = operands as [string, string | undefined];
	const changes = checkChanges(flags.change ?? []);
	if (file === '-') {
		refuse(name, changes, 'container-state');
		return importState(await ctx.readStdin(), 'stdin', flags, ctx);
	}
	const path = absolute(file, ctx.cwd);
	const head = await ctx.peekFile(path, JSON_SNIFF_BYTES);
	if (head === null) throw new Error(`${file} does not exist: give a file written by c32 export, or a tar of a root filesystem`);
	const engine = await ctx.engine();
	// A JSON file is today's export: told here, so importing one never loads the image store.
	const kind = looksLikeJson(head) ? 'container-state' : await engine.archiveKind(path);
	switch (kind) {
		case 'container-state':
			refuse(name, changes, kind);
			return importState(await readOrExplain(ctx, file), file, flags, ctx);
		case 'container-archive': {
			refuse(name, changes, kind);
			const created = await engine.importContainerArchive(path, flags.name === undefined ? {} : {name: flags.name});
			writeCreated(created, flags, ctx);
			return 0;
		}
		case 'rootfs':
			return importRootfs(engine, {file, path, name, changes}, flags, ctx);
		case 'oci-archive':
		case 'docker-archive':
			throw new Error(`${file} is an ${kind} of images: store them with c32 load -i ${file}`);
	}
}

const JSON_SNIFF_BYTES = 64;

/** The first byte after blanks (and a UTF-8 byte order mark) opens a JSON object. */
export function looksLikeJson(head: Uint8Array): boolean {
	const text = Buffer.from(head)
		.toString('utf8')
		.replace(/^\uFEFF/, '');
	return text.trimStart().startsWith('{');
}

const WHAT: Record<ArchiveKind, string> = {
	'container-state': 'a c32 export of a container',
	'container-archive': 'a container archive of c32 export --with-image',
	rootfs: 'a root filesystem',
	'oci-archive': 'an oci-archive',
	'docker-archive': 'a docker-archive',
};

/** A container import takes no image name and no --change. */
function refuse(name: string | undefined, changes: string[], kind: ArchiveKind): void {
	if (name !== undefined) throw new UsageError(`the file is ${WHAT[kind]}: an image NAME goes with a tar of a root filesystem`);
	if (changes.length > 0) throw new UsageError(`the file is ${WHAT[kind]}: --change goes with a tar of a root filesystem`);
}

async function importRootfs(
	engine: Engine,
	input: {file: string; path: string; name: string | undefined; changes: string[]},
	flags: Flags,
	ctx: Context,
): Promise<number> {
	if (input.name === undefined) {
		throw new UsageError(`${input.file} is a tar of a root filesystem: name the image, e.g. c32 import ${input.file} tools:1`);
	}
	if (flags.name !== undefined) throw new UsageError('--name names a container; an image is named by NAME[:TAG] after the file');
	const image = await runTransfer(ctx, {quiet: flags.quiet, what: 'import'}, (transfer) =>
		engine.importImage(input.path, input.name!, {changes: input.changes, ...transfer}),
	);
	if (flags.json) writeJson(ctx.stdout, image);
	else ctx.stdout.write(`${escapeControl(image.id)}\n`);
	return 0;
}

async function importState(text: string, source: string, flags: Flags, ctx: Context): Promise<number> {
	const state = parseState(text, source);
	if (flags.name !== undefined) {
		state.config = {...state.config, name: flags.name};
		state.metadata = {...state.metadata, name: flags.name};
	}
	const engine = await ctx.engine();
	writeCreated(await engine.importContainerState(state), flags, ctx);
	return 0;
}

function writeCreated(created: Awaited<ReturnType<Engine['importContainerState']>>, flags: Flags, ctx: Context): void {
	if (flags.json) writeJson(ctx.stdout, containerJson(created));
	else ctx.stdout.write(`${created.id}\n`);
}

async function readOrExplain(ctx: Context, file: string): Promise<string> {
	try {
		return await ctx.readFile(file);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new Error(
			code === 'ENOENT' ? `${file} does not exist: give a file written by c32 export` : `cannot read ${file}: ${code ?? String(error)}`,
		);
	}
}

/** Only the shape needed to apply --name; the engine validates the rest. */
function parseState(text: string, source: string): ExportedState {
	let value: unknown;
	try {
		value = JSON.parse(text.replace(/^\uFEFF/, ''));
	} catch {
		throw new Error(`${source} is not JSON: give a file written by c32 export`);
	}
	const state = value as Partial<ExportedState> | null;
	if (!state || typeof state !== 'object' || typeof state.config !== 'object' || typeof state.metadata !== 'object') {
		throw new Error(`${source} is not a c32 export: it has no config and metadata`);
	}
	return state as ExportedState;
}
