// Every subcommand, loaded only when it runs: `c32 ps` never parses the code of `c32 top`.
import type {CommandModule} from './types.js';

export interface CommandEntry {
	name: string;
	aliases: string[];
	summary: string;
	/** Exit code when the engine fails: 125 where docker uses it (run, create, exec), else 1. */
	failureCode: number;
	hidden?: boolean;
	load(): Promise<CommandModule>;
}

const ONE_SHOT = 1;
const RUNS_CONTAINERS = 125;

export const COMMANDS: CommandEntry[] = [
	{name: 'run', aliases: [], summary: 'Create and start a container', failureCode: RUNS_CONTAINERS, load: () => import('./run.js')},
	{
		name: 'create',
		aliases: [],
		summary: 'Create a container without starting it',
		failureCode: RUNS_CONTAINERS,
		load: () => import('./create.js'),
	},
	{name: 'start', aliases: [], summary: 'Start created or stopped containers', failureCode: ONE_SHOT, load: () => import('./start.js')},
	{name: 'stop', aliases: [], summary: 'Stop running containers', failureCode: ONE_SHOT, load: () => import('./stop.js')},
	{name: 'restart', aliases: [], summary: 'Restart containers', failureCode: ONE_SHOT, load: () => import('./restart.js')},
	{name: 'pause', aliases: [], summary: 'Freeze every process of containers', failureCode: ONE_SHOT, load: () => import('./pause.js')},
	{name: 'resume', aliases: ['unpause'], summary: 'Thaw paused containers', failureCode: ONE_SHOT, load: () => import('./resume.js')},
	{name: 'kill', aliases: [], summary: 'Send a signal to containers', failureCode: ONE_SHOT, load: () => import('./kill.js')},
	{
		name: 'exec',
		aliases: [],
		summary: 'Run a command in a running container',
		failureCode: RUNS_CONTAINERS,
		load: () => import('./exec.js'),
	},
	{
		name: 'wait',
		aliases: [],
		summary: 'Wait for containers to stop, print exit codes',
		failureCode: ONE_SHOT,
		load: () => import('./wait.js'),
	},
	{name: 'rm', aliases: ['remove'], summary: 'Remove containers', failureCode: ONE_SHOT, load: () => import('./rm.js')},
	{name: 'prune', aliases: [], summary: 'Remove every ended container', failureCode: ONE_SHOT, load: () => import('./prune.js')},
	{name: 'rename', aliases: [], summary: 'Give a container a new name', failureCode: ONE_SHOT, load: () => import('./rename.js')},
	{
		name: 'port',
		aliases: [],
		summary: 'The ports a container publishes on the host',
		failureCode: ONE_SHOT,
		load: () => import('./port.js'),
	},
	{name: 'ps', aliases: [], summary: 'List containers', failureCode: ONE_SHOT, load: () => import('./ps.js')},
	{name: 'list', aliases: [], summary: 'List every container (ps -a)', failureCode: ONE_SHOT, load: () => import('./list.js')},
	{
		name: 'inspect',
		aliases: [],
		summary: 'Everything about containers, as JSON',
		failureCode: ONE_SHOT,
		load: () => import('./inspect.js'),
	},
	{
		name: 'attach',
		aliases: [],
		summary: "Attach to a running container's output, stdin and terminal",
		failureCode: ONE_SHOT,
		load: () => import('./attach.js'),
	},
	{name: 'logs', aliases: [], summary: "Print or follow a container's output", failureCode: ONE_SHOT, load: () => import('./logs.js')},
	{
		name: 'events',
		aliases: [],
		summary: 'Print or follow what happened to containers',
		failureCode: ONE_SHOT,
		load: () => import('./events.js'),
	},
	{
		name: 'notify',
		aliases: [],
		summary: 'Webhooks that are POSTed chosen events: add, ls, rm, test',
		failureCode: ONE_SHOT,
		load: () => import('./notify.js'),
	},
	{name: 'stats', aliases: [], summary: 'Live resource usage of containers', failureCode: ONE_SHOT, load: () => import('./stats.js')},
	{
		name: 'export',
		aliases: [],
		summary: "Write a container's state as JSON (with its image: a tar)",
		failureCode: ONE_SHOT,
		load: () => import('./export.js'),
	},
	{
		name: 'import',
		aliases: [],
		summary: 'Recreate a container from an export; an image from a rootfs tar',
		failureCode: ONE_SHOT,
		load: () => import('./import.js'),
	},
	{name: 'images', aliases: [], summary: 'List OCI images', failureCode: ONE_SHOT, load: () => import('./images.js')},
	{
		name: 'image',
		aliases: [],
		summary: 'Manage images: ls, inspect, pull, load, import, tag, save, rm, prune',
		failureCode: ONE_SHOT,
		load: () => import('./image.js'),
	},
	{name: 'pull', aliases: [], summary: 'Fetch an image from a registry', failureCode: ONE_SHOT, load: () => import('./pull.js')},
	{
		name: 'load',
		aliases: [],
		summary: 'Store the images of an oci- or docker-archive',
		failureCode: ONE_SHOT,
		load: () => import('./load.js'),
	},
	{name: 'save', aliases: [], summary: 'Write an image to an archive', failureCode: ONE_SHOT, load: () => import('./save.js')},
	{name: 'tag', aliases: [], summary: 'Give an image another name', failureCode: ONE_SHOT, load: () => import('./tag.js')},
	{name: 'rmi', aliases: [], summary: 'Remove images', failureCode: ONE_SHOT, load: () => import('./rmi.js')},
	{name: 'commit', aliases: [], summary: "A new image of a container's changes", failureCode: ONE_SHOT, load: () => import('./commit.js')},
	{
		name: 'system',
		aliases: [],
		summary: 'Disk usage of the storage root (system df)',
		failureCode: ONE_SHOT,
		load: () => import('./system.js'),
	},
	{
		name: 'network',
		aliases: [],
		summary: 'Manage networks: create, ls, inspect, rm, connect, disconnect',
		failureCode: ONE_SHOT,
		load: () => import('./network.js'),
	},
	{
		name: 'healthcheck',
		aliases: [],
		summary: "Run a container's health check now (healthcheck run)",
		failureCode: RUNS_CONTAINERS,
		load: () => import('./healthcheck.js'),
	},
	{name: 'up', aliases: [], summary: 'Bring a stack up from a compose file', failureCode: ONE_SHOT, load: () => import('./up.js')},
	{name: 'down', aliases: [], summary: "Remove a stack's containers and networks", failureCode: ONE_SHOT, load: () => import('./down.js')},
	{name: 'stack', aliases: [], summary: 'Stacks: ls, ps', failureCode: ONE_SHOT, load: () => import('./stack.js')},
	{
		name: 'generate',
		aliases: [],
		summary: 'Kubernetes YAML (generate kube) or a systemd unit (generate systemd) of containers',
		failureCode: ONE_SHOT,
		load: () => import('./generate.js'),
	},
	{
		name: 'kube',
		aliases: [],
		summary: 'Run a Kubernetes manifest locally: play, down',
		failureCode: ONE_SHOT,
		load: () => import('./kube.js'),
	},
	{name: 'top', aliases: [], summary: 'The live dashboard', failureCode: ONE_SHOT, load: () => import('./top.js')},
	{
		name: 'doctor',
		aliases: [],
		summary: 'What this host supports, what to install',
		failureCode: ONE_SHOT,
		load: () => import('./doctor.js'),
	},
	{
		name: 'completion',
		aliases: [],
		summary: 'Shell completion script (bash or zsh)',
		failureCode: ONE_SHOT,
		load: () => import('./completion.js'),
	},
	{
		name: '__names',
		aliases: [],
		summary: 'Container names, for shell completion',
		failureCode: ONE_SHOT,
		hidden: true,
		load: () => import('./names.js'),
	},
];

export function findCommand(word: string): CommandEntry | undefined {
	return COMMANDS.find((c) => c.name === word || c.aliases.includes(word));
}

/** The closest command name to a mistyped one, if it is close enough to be a typo. */
export function suggestCommand(word: string): string | undefined {
	let best: {name: string; distance: number} | undefined;
	for (const command of COMMANDS) {
		if (command.hidden) continue;
		for (const name of [command.name, ...command.aliases]) {
			const distance = editDistance(word, name);
			if (!best || distance < best.distance) best = {name, distance};
		}
	}
	return best && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined;
}

/** Edits between two words, a swap of neighbours counting as one ("stpo" is 1 from "stop"). */
function editDistance(a: string, b: string): number {
	const rows: number[][] = [Array.from({length: b.length + 1}, (_, j) => j)];
	for (let i = 1; i <= a.length; i++) {
		const row = [i];
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
			row.push(best);
		}
		rows.push(row);
	}
	return rows[a.length]![b.length]!;
}
