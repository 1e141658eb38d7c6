// Attachments: per-container resources (the bundle's files and mounts; later a network
// interface and its port rules, a health-check schedule) prepared before the runtime starts
// and torn down on every ending — stop, exit, crash recovery, remove, failed start — through
// one path, in reverse order. The lifecycle does not know which attachments exist.
import type {DriverContext} from '../drivers/driver.js';

export interface Attachment {
	readonly name: string;
	/** Makes the resource ready for a start. Idempotent: it may find the remains of an earlier run. */
	prepare(ctx: DriverContext): Promise<void>;
	/**
	 * Finishes what prepare began, once the runtime has created the container and before its
	 * process runs: slow work (the CNI plugins) overlaps the runtime's own create.
	 */
	ready?(ctx: DriverContext): Promise<void>;
	/** Releases it. Idempotent, and safe when prepare never ran or ran only in part, and after a failed ready. */
	teardown(ctx: DriverContext): Promise<void>;
	/**
	 * Its teardown needs neither the runtime's cleanup nor any other teardown done first, and
	 * none of them needs it: it runs alongside them (the network's DEL beside runc's delete).
	 */
	readonly tearsDownAlongside?: boolean;
}

/** Prepares each attachment in order; when one fails, tears down every one (this one included) in reverse and rethrows. */
export async function prepareAll(
	attachments: readonly Attachment[],
	ctx: DriverContext,
	onTeardownError: (error: unknown, name: string) => void,
): Promise<void> {
	for (const [index, attachment] of attachments.entries()) {
		try {
			await attachment.prepare(ctx);
		} catch (error) {
			await teardownAll(attachments.slice(0, index + 1), ctx, onTeardownError);
			throw error;
		}
	}
}

/**
 * Finishes every prepared attachment (see Attachment.ready), all at once: a later one waits for
 * what it needs of an earlier one itself (the names for the network's address). All have
 * settled when it returns; a failure is the start's (the first in order): the caller releases all.
 */
export async function readyAll(attachments: readonly Attachment[], ctx: DriverContext): Promise<void> {
	const outcomes = await Promise.allSettled(attachments.map((attachment) => attachment.ready?.(ctx)));
	const failed = outcomes.find((outcome) => outcome.status === 'rejected');
	if (failed) throw failed.reason;
}

/** Tears every attachment down in reverse order; one failure does not stop the others. Returns the failures. */
export async function teardownAll(
	attachments: readonly Attachment[],
	ctx: DriverContext,
	onError: (error: unknown, name: string) => void,
): Promise<unknown[]> {
	const failures: unknown[] = [];
	for (const attachment of [...attachments].reverse()) {
		try {
			await attachment.teardown(ctx);
		} catch (error) {
			failures.push(error);
			onError(error, attachment.name);
		}
	}
	return failures;
}
