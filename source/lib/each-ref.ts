// Commands that act on several containers (`c32 stop a b c`) act on them concurrently, print
// one line per container in the order given, and fail (exit 1) if any one failed.
import type {AnyFlags} from 'meow';
import type {Engine} from '../../engine/index.js';
import {type CommandSpec, type Parsed, parseArgs} from './args.js';
import type {Context} from './context.js';
import {EXIT, UsageError} from './errors.js';

/** Enough to overlap slow stops without making hundreds of removals fight over the lock. */
const CONCURRENCY = 8;

export async function forEachRef(
	refs: string[],
	ctx: Context,
	action: (ref: string) => Promise<string | undefined>,
): Promise<number> {
	const results: ({ok: true; line: string | undefined} | {ok: false; message: string} | undefined)[] = refs.map(() => undefined);
	let printed = 0;
	let failed = false;
	const flush = () => {
		while (printed < refs.length && results[printed] !== undefined) {
			const result = results[printed]!;
			if (result.ok && result.line !== undefined) ctx.stdout.write(`${result.line}\n`);
			if (!result.ok) ctx.stderr.write(`c32: error: ${result.message}\n`);
			printed++;
		}
	};
	let next = 0;
	const worker = async () => {
		while (next < refs.length) {
			const index = next++;
			try {
				results[index] = {ok: true, line: await action(refs[index]!)};
			} catch (error) {
				// A bad option value fails the same way for every ref, before the engine is asked.
				if (error instanceof UsageError) throw error;
				failed = true;
				results[index] = {ok: false, message: error instanceof Error ? error.message : String(error)};
			}
			flush();
		}
	};
	await Promise.all(Array.from({length: Math.min(CONCURRENCY, refs.length)}, worker));
	return failed ? EXIT.failed : EXIT.ok;
}

/** The whole of a `c32 VERB [options] CONTAINER...` command: parse, then act on each ref. */
export async function actOnEach<Flags extends AnyFlags>(
	spec: CommandSpec<Flags>,
	argv: string[],
	ctx: Context,
	action: (engine: Engine, ref: string, flags: Parsed<Flags>['flags']) => Promise<string | undefined>,
): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	return forEachRef(operands, ctx, (ref) => action(engine, ref, flags));
}
