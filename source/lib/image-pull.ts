// `run` and `create` with an OCI image: pull it first when it is not stored (--pull missing,
// the default), every time (always) or never (the engine then says how to get it).
import {isC32Error} from '../../engine/errors.js';
import type {ContainerConfig, Engine, PullOptions} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {choiceFlag} from './checked-flags.js';
import type {Context} from './context.js';
import {runTransfer} from './transfer.js';

export type PullPolicy = 'missing' | 'always' | 'never';

export function pullPolicy(value: string | undefined): PullPolicy {
	return value === undefined ? 'missing' : choiceFlag('--pull', value, ['missing', 'always', 'never'] as const);
}

/** The OCI image references a config names: its image unless that is a host path, and its base. */
export function imageReferences(config: ContainerConfig): string[] {
	const refs: string[] = [];
	if (config.image !== undefined && !config.image.startsWith('/')) refs.push(config.image);
	if (config.base !== undefined) refs.push(config.base);
	return refs;
}

/** Whether `ref` must be pulled under `policy`: for missing, asks the store (IMAGE_NOT_FOUND: yes). */
export async function needsPull(engine: Pick<Engine, 'inspectImage'>, ref: string, policy: PullPolicy): Promise<boolean> {
	if (policy !== 'missing') return policy === 'always';
	try {
		await engine.inspectImage(ref);
		return false;
	} catch (error) {
		if (isC32Error(error) && error.code === 'IMAGE_NOT_FOUND') return true;
		throw error;
	}
}

/** Pulls what the policy asks for, with progress on stderr, before anything is created. */
export async function pullForContainer(
	engine: Engine,
	config: ContainerConfig,
	options: {policy: PullPolicy; pull: PullOptions},
	ctx: Context,
): Promise<void> {
	for (const ref of imageReferences(config)) {
		if (!(await needsPull(engine, ref, options.policy))) continue;
		if (options.policy === 'missing') ctx.stderr.write(`Image ${escapeControl(ref)} is not stored here: pulling it\n`);
		await runTransfer(ctx, {what: 'pull'}, (transfer) => engine.pullImage(ref, {...options.pull, ...transfer}));
	}
}
