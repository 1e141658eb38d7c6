import {isC32Error} from '../../engine/errors.js';
import type {ContainerListEntry, ContainerMetadata, ContainerNetwork, Engine, ThresholdBreach} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import {colorEnabled, type Palette, palette} from '../lib/color.js';
import {containerJson, isActive, newestFirst, shortId, statusStyle, statusText} from '../lib/container-view.js';
import type {Context} from '../lib/context.js';
import {ago} from '../lib/duration.js';
import {writeJson} from '../lib/json.js';
import {portsText} from '../lib/network-view.js';
import {matchesFilters, parseFilters} from '../lib/ps-filter.js';
import {renderTable, truncateStart} from '../lib/table.js';

export const spec = defineCommand({
	name: 'ps',
	help: `
Usage
  $ c32 ps [options]      (list = ps -a)

List running and paused containers, newest first. PORTS shows the ports published on the
host (127.0.0.1:8080->80/tcp; 0.0.0.0 is every address of the host).

Options
  -a, --all        Every container, whatever its state
  -q, --quiet      Only the ids, one per line
  -f, --filter K=V Only containers that match: name=, id= (prefix), status=, label=KEY[=VALUE],
                   isolation=, health=starting|healthy|unhealthy|none (repeatable; a status
                   filter implies -a)
  --json           A JSON array (fields in docs/cli.md), with each container's health, its
                   first network (name, ip, gateway, ports; null on the host's network) and
                   networks, every c32 network it is on
  --no-trunc       Full ids and image paths

Examples
  $ c32 ps
  $ c32 ps -a --json
  $ c32 rm $(c32 ps -q --filter status=exited)`,
	flags: {
		all: {type: 'boolean', shortFlag: 'a'},
		quiet: {type: 'boolean', shortFlag: 'q'},
		filter: {type: 'string', shortFlag: 'f', isMultiple: true},
		json: {type: 'boolean'},
		trunc: {type: 'boolean', default: true},
	},
	operands: {min: 0, max: 0, label: ''},
});

const IMAGE_WIDTH = 32;

export async function main(argv: string[], ctx: Context, listAll = false): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const filters = parseFilters(flags.filter ?? []);
	const engine = await ctx.engine();
	const all = newestFirst(await engine.listContainers());
	const everyState = flags.all || listAll || filters.has('status');
	const containers = all.filter((c) => (everyState || isActive(c)) && matchesFilters(c, filters));
	const id = (full: string) => (flags.trunc ? shortId(full) : full);
	if (flags.quiet) {
		ctx.stdout.write(containers.map((c) => `${id(c.id)}\n`).join(''));
		return 0;
	}
	// The table shows ports only while they are published; the JSON has every network.
	const networks = await networksOf(engine, containers, flags.json ? () => true : isActive);
	// No daemon watches thresholds: ps samples the containers that have one (docs/thresholds.md).
	const above = containers.some(isActive) ? await aboveThresholds(engine) : new Map<string, ThresholdBreach[]>();
	if (flags.json) {
		writeJson(
			ctx.stdout,
			containers.map((c, index) => ({
				...containerJson(c),
				health: c.health ?? null,
				network: networks[index]![0] ?? null,
				networks: networks[index]!,
				crashLoop: c.crashLoop === true,
				aboveThresholds: above.get(c.id) ?? [],
			})),
		);
		return 0;
	}
	const now = ctx.now();
	const colors = palette(colorEnabled(ctx.stdout, ctx.env));
	const rows = containers.map((c, index) => [
		id(c.id),
		c.name,
		c.image === null ? '-' : flags.trunc ? truncateStart(escapeControl(c.image), IMAGE_WIDTH) : c.image,
		c.isolationLevel,
		ago(c.createdAt, now),
		statusCell(c, now, above.get(c.id) ?? [], colors),
		portsText(networks[index]![0] ?? null),
	]);
	ctx.stdout.write(renderTable(['CONTAINER ID', 'NAME', 'IMAGE', 'ISOLATION', 'CREATED', 'STATUS', 'PORTS'], rows));
	return 0;
}

async function aboveThresholds(engine: Engine): Promise<Map<string, ThresholdBreach[]>> {
	const samples = await engine.checkThresholds();
	return new Map(samples.map((s) => [s.id, s.aboveThresholds ?? []]));
}

/** "Up 3 minutes ! memory 612 MB > 500 MB": a container above a threshold is marked, in red. */
function statusCell(c: ContainerMetadata, now: Date, breaches: readonly ThresholdBreach[], colors: Palette) {
	const text = statusText(c, now);
	if (breaches.length === 0) return {text, style: statusStyle(c.state, c.exitCode, colors)};
	return {text: `${text} ! ${breaches.map(breachText).join(', ')}`, style: colors.red};
}

export function breachText(breach: ThresholdBreach): string {
	return breach.metric === 'memory'
		? `memory ${Math.round(breach.value)} MB > ${breach.threshold} MB`
		: `cpu ${Math.round(breach.value)}% > ${breach.threshold}%`;
}

/**
 * The networks of each `wanted` container, [] for the others: from the listing, which reads
 * them with the record; from its inspect view only when an engine's listing has none. One
 * removed or damaged since the list was read has none to show.
 */
async function networksOf(
	engine: Engine,
	containers: readonly ContainerListEntry[],
	wanted: (container: ContainerMetadata) => boolean,
): Promise<ContainerNetwork[][]> {
	return Promise.all(
		containers.map(async (c) => {
			if (!wanted(c)) return [];
			if (c.networks) return c.networks;
			try {
				// An engine from before networks has no network fields; from before multi-network containers, no networks.
				const info = await engine.inspectContainer(c.id);
				return info.networks ?? (info.network ? [info.network] : []);
			} catch (error) {
				if (isC32Error(error)) return [];
				throw error;
			}
		}),
	);
}
