// A transfer (pull, load, import, commit, save) as a command runs it: progress on stderr,
// the first Ctrl-C aborts it (the engine removes what it had written), a second one ends c32.
import type {TransferOptions} from '../../engine/index.js';
import type {Context} from './context.js';
import {EarlyExit} from './errors.js';
import {progressWriter} from './progress.js';

/** 128 + SIGINT, as a shell reports a command that Ctrl-C ended. */
const INTERRUPTED = 130;

export async function runTransfer<T>(
	ctx: Context,
	options: {quiet?: boolean; what: string},
	transfer: (options: Required<Pick<TransferOptions, 'onProgress' | 'signal'>>) => Promise<T>,
): Promise<T> {
	const writer = progressWriter(ctx.stderr, {quiet: options.quiet});
	const controller = new AbortController();
	// Listening only until the first: a second Ctrl-C finds no handler and ends the process.
	const stopListening = ctx.onInterrupt(() => {
		stopListening();
		controller.abort();
	});
	try {
		return await transfer({onProgress: writer.update, signal: controller.signal});
	} catch (error) {
		if (!controller.signal.aborted) throw error;
		writer.done();
		ctx.stderr.write(`c32: ${options.what} interrupted; nothing was kept\n`);
		throw new EarlyExit(INTERRUPTED);
	} finally {
		writer.done();
		stopListening();
	}
}
