// Carries out a played manifest through the engine API: everything checked first (so bad
// input creates nothing), then each container created and started; a failure removes what
// this play made. down removes the containers labelled with the file's workloads, only those.
import type {Engine} from '../api.js';
import {C32Error, isC32Error} from '../errors.js';
import type {ContainerMetadata} from '../types.js';
import {KUBE_KIND_LABEL, KUBE_NAME_LABEL, type KubePlan, type PlayContainer} from './types.js';

export interface PlayOptions {
	/** Remove the containers an earlier play of the same workloads made, first. */
	replace?: boolean;
}

type Workload = KubePlan['workloads'][number];

/** Whether a container was made by kube play for one of these workloads. */
function madeFor(container: ContainerMetadata, workloads: Workload[]): boolean {
	return workloads.some((w) => container.labels[KUBE_KIND_LABEL] === w.kind && container.labels[KUBE_NAME_LABEL] === w.name);
}

/** Creates and starts the plan's containers; resolves with them. */
export async function playKube(engine: Engine, plan: KubePlan, options: PlayOptions = {}): Promise<ContainerMetadata[]> {
	const existing = await engine.listContainers();
	const ours = existing.filter((c) => madeFor(c, plan.workloads));
	for (const {config} of plan.containers) {
		const clash = existing.find((c) => c.name === config.name);
		if (clash === undefined) continue;
		if (!madeFor(clash, plan.workloads)) {
			throw new C32Error('NAME_IN_USE', `the name ${config.name} is in use by a container kube play did not make: remove or rename it`);
		}
		if (!options.replace) {
			throw new C32Error(
				'NAME_IN_USE',
				`${config.name} exists from an earlier kube play: c32 kube down FILE first, or kube play --replace`,
			);
		}
	}
	for (const container of plan.containers) {
		try {
			await engine.validateConfig(container.config);
		} catch (error) {
			if (isC32Error(error)) throw new C32Error(error.code, `${what(container)}: ${error.message}`);
			throw error;
		}
	}
	if (options.replace) await Promise.all(ours.map((c) => removeContainer(engine, c.id)));
	const made: ContainerMetadata[] = [];
	try {
		for (const container of plan.containers) {
			const created = await engine.createContainer(container.config);
			made.push(created);
			made[made.length - 1] = await engine.startContainer(created.id);
		}
	} catch (error) {
		await Promise.all(made.map((c) => engine.removeContainer(c.id, {force: true}).catch(() => {})));
		throw error;
	}
	return made;
}

/** Removes what kube play made of these workloads; resolves with the names removed. */
export async function downKube(engine: Engine, workloads: Workload[]): Promise<string[]> {
	const containers = (await engine.listContainers()).filter((c) => madeFor(c, workloads));
	await Promise.all(containers.map((c) => removeContainer(engine, c.id)));
	return containers.map((c) => c.name);
}

function what(container: PlayContainer): string {
	return `${container.kind} ${container.workload}`;
}

/** A stop as its stop signal and grace period say, then the removal. */
async function removeContainer(engine: Engine, id: string): Promise<void> {
	const meta = await engine.getContainer(id).catch(() => null);
	if (meta === null) return;
	if (meta.state === 'running' || meta.state === 'paused' || meta.state === 'restarting') await engine.stopContainer(id).catch(() => {});
	await engine.removeContainer(id, {force: true});
}
