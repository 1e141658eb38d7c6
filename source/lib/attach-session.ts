// The caller attached to a container (run -i/-t, start -a/-i, attach): the caller's stdin,
// terminal and signals on one side, engine.attachContainer on the other. As in docker:
//   - a tty container with stdin forwarded from a terminal puts that terminal in raw mode,
//     so Ctrl-C (and every key) reaches the container's terminal; restored on every exit.
//   - a tty container without stdin (-t alone): Ctrl-C sends SIGINT to its process.
//   - otherwise Ctrl-C stops the container (a second one kills it), as attached run always did.
//   - SIGTERM and SIGHUP to c32 stop the container, whatever the mode.
import type {AttachResult, Engine} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import type {Context} from './context.js';
import {UsageError} from './errors.js';

export interface SessionPlan {
	id: string;
	/** The container's name, escaped for the terminal. */
	name: string;
	/** The container has a terminal. */
	tty: boolean;
	/** Forward the caller's stdin (the container was created with stdinOpen and the caller asked). */
	stdin: boolean;
	/** Start the container once attached (run, start -a). */
	start: boolean;
	detachKeys?: string;
}

/** Docker's rule: a terminal fed from stdin needs stdin to be one (-t alone does not). Checked before acting. */
export function requireInputTerminal(tty: boolean, stdin: boolean, ctx: Context): void {
	if (tty && stdin && ctx.stdin.isTTY !== true)
		throw new UsageError('the input device is not a TTY: drop -t (or -i), or run c32 in a terminal');
}

/**
 * Attaches to an existing container (attach, start -a/-i): its stdin only when it was created
 * with -i and the caller asks for it, and the caller's terminal checked first.
 */
export async function attachExisting(
	engine: Engine,
	ctx: Context,
	ref: string,
	options: {wantStdin: boolean; start: boolean; detachKeys: string | undefined},
): Promise<number> {
	const info = await engine.inspectContainer(ref);
	const tty = info.config.tty === true;
	const stdin = options.wantStdin && info.config.stdinOpen === true;
	requireInputTerminal(tty, stdin, ctx);
	const session = await attachSession(engine, ctx, {
		id: info.id,
		name: escapeControl(info.name),
		tty,
		stdin,
		start: options.start,
		detachKeys: options.detachKeys,
	});
	return session.code;
}

/** Attaches until the container's run ends (code: its exit code) or the caller detaches (code 0). */
export async function attachSession(engine: Engine, ctx: Context, plan: SessionPlan): Promise<{code: number; detached: boolean}> {
	const {id, name} = plan;
	const raw = plan.tty && plan.stdin && ctx.stdin.isTTY === true;
	let stops = 0;
	const stopOrKill = () => {
		stops++;
		ctx.stderr.write(stops === 1 ? `c32: stopping ${name} (Ctrl-C again to kill it)\n` : `c32: killing ${name}\n`);
		(stops === 1 ? engine.stopContainer(id) : engine.killContainer(id, 'SIGKILL')).catch(() => undefined);
	};
	const onSignal = (signal: NodeJS.Signals) => {
		// In raw mode Ctrl-C is a key for the container: a SIGINT here came from elsewhere.
		if (signal === 'SIGINT' && plan.tty && !raw) engine.killContainer(id, 'SIGINT').catch(() => undefined);
		else stopOrKill();
	};
	const size = plan.tty ? ctx.terminal.size() : null;
	const restore = raw ? ctx.terminal.raw() : () => {};
	const stopListening = [ctx.onInterrupt(onSignal), ctx.terminal.onHangup(stopOrKill)];
	let result: AttachResult;
	try {
		result = await engine.attachContainer(id, {
			stdin: plan.stdin ? ctx.terminal.input : null,
			stdout: ctx.stdout,
			stderr: ctx.stderr,
			terminal: size ? {...size, onResize: (listener) => ctx.terminal.onResize((now) => listener(now.rows, now.columns))} : undefined,
			detachKeys: plan.detachKeys,
			start: plan.start,
		});
	} finally {
		for (const stop of stopListening) stop();
		restore();
	}
	if (result.detached) {
		// The prompt starts on a line of its own, as docker's does.
		if (raw) ctx.stderr.write('\r\n');
		return {code: 0, detached: true};
	}
	if (result.exitCode === null) {
		ctx.stderr.write(`c32: ${name} ended without an exit code (its monitor was killed)\n`);
		return {code: 255, detached: false};
	}
	return {code: result.exitCode, detached: false};
}
