import {C32Error} from '../../engine/errors.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {hostAddress, portLine} from '../lib/network-view.js';

export const spec = defineCommand({
	name: 'port',
	help: `
Usage
  $ c32 port CONTAINER [PRIVATE_PORT[/PROTO]]

The ports a container publishes on the host, as "80/tcp -> 0.0.0.0:8080" (0.0.0.0: every
address of the host). With PRIVATE_PORT (tcp unless /udp): only the host addresses it is
published on.

Examples
  $ c32 port web
  $ c32 port web 80
  $ curl "http://$(c32 port web 80)/"`,
	flags: {},
	operands: {min: 1, max: 2, label: 'container and port'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const [ref, wanted] = operands as [string, string | undefined];
	const filter = wanted === undefined ? undefined : parsePrivatePort(wanted);
	const info = await (await ctx.engine()).inspectContainer(ref);
	const ports = info.network?.ports ?? [];
	if (filter === undefined) {
		ctx.stdout.write(ports.map((port) => `${portLine(port)}\n`).join(''));
		return 0;
	}
	const matching = ports.filter((port) => port.containerPort === filter.port && port.protocol === filter.protocol);
	if (matching.length === 0) {
		throw new C32Error(
			'NOT_FOUND',
			`no public port ${filter.port}/${filter.protocol} published for ${info.name}: c32 port ${info.name} lists them`,
		);
	}
	ctx.stdout.write(matching.map((port) => `${hostAddress(port)}\n`).join(''));
	return 0;
}

/** "80", "80/tcp", "53/udp". */
export function parsePrivatePort(text: string): {port: number; protocol: 'tcp' | 'udp'} {
	const match = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(text);
	const port = match ? Number(match[1]) : 0;
	if (!match || port < 1 || port > 65535) throw new UsageError(`invalid port "${text}": use a port from 1 to 65535, e.g. 80 or 53/udp`);
	return {port, protocol: (match[2] ?? 'tcp') as 'tcp' | 'udp'};
}
