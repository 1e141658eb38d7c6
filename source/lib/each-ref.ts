// Commands that act on several containers (`c32 stop a b c`) act on them concurrently, print
// one line per container in the order given, and fail (exit 1) if any one failed. With
// --json they print one array instead, an element per ref in the order given (docs/cli.md).

import {isC32Error} from '../../engine/errors.js';
import type {ContainerMetadata, ContainerState, Engine} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {type CommandSpec, type Parsed, parseArgs} from './args.js';
import {containerRefs, type RefFlags} from './cidfile.js';
import {containerJson} from './container-view.js';
import type {Context} from './context.js';
import {EXIT, errorLine, errorText, UsageError} from './errors.js';
import type {AnyFlags} from './flags.js';
import {writeJson} from './json.js';

/** Enough to overlap slow stops without making hundreds of removals fight over the lock. */
const CONCURRENCY = 8;

/** What acting on one ref gave: the line for people, the object for --json. */
export interface RefResult {
	line: string;
	json: Record<string, unknown>;
}

type Outcome = {ok: true; result: RefResult} | {ok: false; error: unknown};

export async function forEachRef(refs: string[], ctx: Context, action: (ref: string) => Promise<RefResult>, json = false): Promise<number> {
	const outcomes: (Outcome | undefined)[] = refs.map(() => undefined);
	let printed = 0;
	const flush = () => {
		while (printed < refs.length && outcomes[printed] !== undefined) {
			const outcome = outcomes[printed]!;
			if (!outcome.ok) ctx.stderr.write(errorLine(outcome.error));
			// '': a container --ignore let go of, which has nothing to say.
			else if (!json && outcome.result.line !== '') ctx.stdout.write(`${escapeControl(outcome.result.line)}\n`);
			printed++;
		}
	};
	let next = 0;
	const worker = async () => {
		while (next < refs.length) {
			const index = next++;
			try {
				outcomes[index] = {ok: true, result: await action(refs[index]!)};
			} catch (error) {
				// A bad option value fails the same way for every ref, before the engine is asked.
				if (error instanceof UsageError) throw error;
				outcomes[index] = {ok: false, error};
			}
			flush();
		}
	};
	await Promise.all(Array.from({length: Math.min(CONCURRENCY, refs.length)}, worker));
	if (json) {
		writeJson(
			ctx.stdout,
			outcomes.map((outcome, index) => outcomeJson(refs[index]!, outcome!)),
		);
	}
	return outcomes.some((outcome) => !outcome!.ok) ? EXIT.failed : EXIT.ok;
}

function outcomeJson(ref: string, outcome: Outcome): Record<string, unknown> {
	if (outcome.ok) return {ref, ...outcome.result.json};
	const code = isC32Error(outcome.error) ? outcome.error.code : 'ERROR';
	return {ref, error: {code, message: errorText(outcome.error)}};
}

/** An action that leaves a container behind: the ref as typed, or the container as `ps --json` shows it. */
export function containerResult(ref: string, container: ContainerMetadata): RefResult {
	return {line: ref, json: containerJson(container)};
}

/** The containers `--all` acts on, by state; `c32 VERB -a` with none of them does nothing and succeeds. */
export type AllOf = (state: ContainerState) => boolean;

/** --all (podman's -a): every container `allOf` takes, in `ps -a` order, instead of refs. */
export const allFlag = {all: {type: 'boolean', shortFlag: 'a'}} as const;

/**
 * The whole of a `c32 VERB [options] CONTAINER...` command: parse, then act on each ref. With
 * `allOf`, the command takes --all (allFlag in its flags) and acts on every container it takes.
 */
export async function actOnEach<Flags extends AnyFlags>(
	spec: CommandSpec<Flags>,
	argv: string[],
	ctx: Context,
	action: (engine: Engine, ref: string, flags: Parsed<Flags>['flags']) => Promise<RefResult>,
	allOf?: AllOf,
): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const refFlags = flags as RefFlags;
	const all = allOf !== undefined && (flags as {all?: boolean}).all === true;
	if (all && (operands.length > 0 || refFlags.cidfile !== undefined)) {
		throw new UsageError(`"c32 ${spec.name} --all" acts on every container: give no container and no --cidfile with it`);
	}
	const named = all ? [] : await containerRefs(spec.name, operands, refFlags, ctx);
	const engine = await ctx.engine();
	const refs = all ? (await engine.listContainers()).filter((c) => allOf(c.state)).map((c) => c.id) : named;
	const act = async (ref: string): Promise<RefResult> => {
		try {
			return await action(engine, ref, flags);
		} catch (error) {
			// --ignore: a container that is not there is what the caller wanted anyway.
			if (refFlags.ignore && isC32Error(error) && error.code === 'NOT_FOUND') return {line: '', json: {ignored: true}};
			throw error;
		}
	};
	return forEachRef(refs, ctx, act, (flags as {json?: boolean}).json === true);
}

/** The --json flag every command that acts on containers takes. */
export const jsonFlag = {json: {type: 'boolean'}} as const;
