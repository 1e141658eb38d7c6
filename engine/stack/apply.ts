// Carries out a stack plan through the engine API: everything checked first (so bad input
// creates nothing), then the stack's networks, then the services in start order, each after
// the conditions of its depends_on hold.
import type {Engine} from '../api.js';
import {C32Error, isC32Error} from '../errors.js';
import {type ContainerMetadata, DEFAULT_NETWORK} from '../types.js';
import {planStack} from './plan.js';
import {type PlanStep, SERVICE_LABEL, STACK_LABEL, type Stack, type StackPlan, type StackService} from './types.js';

export interface UpOptions {
	/** Replicas per service, over deploy.replicas. */
	scale?: Record<string, number>;
	/** Told each step as it is carried out (and the plan before anything is done). */
	onPlan?: (plan: StackPlan) => void;
	/** Aborts a wait for a condition (the containers made so far stay). */
	signal?: AbortSignal;
	/** How often a condition is looked at, in ms (default 200). */
	pollMs?: number;
}

/** The plan for the stack against what this engine holds; INVALID_CONFIG for a --scale of an unknown service. */
export async function planStackOn(engine: Engine, stack: Stack, scale: Record<string, number> = {}): Promise<StackPlan> {
	for (const service of Object.keys(scale)) {
		if (!stack.services.some((s) => s.name === service)) {
			throw new C32Error(
				'INVALID_CONFIG',
				`--scale ${service}: no such service in ${stack.name} (${stack.services.map((s) => s.name).join(', ')})`,
			);
		}
	}
	return planStack(stack, await engine.listContainers(), scale);
}

/** Brings the stack up: its plan, carried out. Resolves with the plan and the stack's containers. */
export async function upStack(
	engine: Engine,
	stack: Stack,
	options: UpOptions = {},
): Promise<{plan: StackPlan; containers: ContainerMetadata[]}> {
	const plan = await planStackOn(engine, stack, options.scale);
	// Everything the plan creates is validated as create would, before anything is done; on
	// the default network in place of the stack's own, which do not exist yet.
	const own = new Set(stack.networks.filter((n) => !n.external).map((n) => n.name));
	for (const step of plan.steps) {
		if (step.config) {
			const {network, additionalNetworks, ...rest} = step.config;
			const further = additionalNetworks?.filter((n) => !own.has(n.name));
			const config =
				network !== undefined && own.has(network)
					? {...rest, network: DEFAULT_NETWORK, ...(further?.length ? {additionalNetworks: further} : {})}
					: step.config;
			try {
				await engine.validateConfig(config);
			} catch (error) {
				if (isC32Error(error)) throw new C32Error(error.code, `service ${step.service}: ${error.message}`);
				throw error;
			}
		}
	}
	const existing = new Set((await engine.listNetworks()).map((n) => n.name));
	for (const network of stack.networks) {
		if (network.external && !existing.has(network.name)) {
			throw new C32Error(
				'NOT_FOUND',
				`network ${network.name} is external but does not exist: create it with c32 network create ${network.name}`,
			);
		}
	}
	options.onPlan?.(plan);
	for (const network of stack.networks) {
		if (network.external || existing.has(network.name)) continue;
		await engine.createNetwork(network.name, {subnet: network.subnet, internal: network.internal});
	}
	for (const step of plan.steps.filter((s) => s.action === 'remove')) await removeContainer(engine, step.id!);
	const ids: string[] = [];
	for (const name of plan.order) {
		const service = stack.services.find((s) => s.name === name)!;
		await waitForDependencies(engine, plan, service, options);
		for (const step of plan.steps.filter((s) => s.service === name && s.action !== 'remove')) ids.push(await carryOut(engine, step));
	}
	const containers = await Promise.all(ids.map((id) => engine.getContainer(id)));
	return {plan, containers};
}

async function carryOut(engine: Engine, step: PlanStep): Promise<string> {
	if (step.action === 'keep') return step.id!;
	if (step.action === 'start') return (await engine.startContainer(step.id!)).id;
	if (step.action === 'recreate') await removeContainer(engine, step.id!);
	const created = await engine.createContainer(step.config!);
	try {
		await engine.startContainer(created.id);
	} catch (error) {
		await engine.removeContainer(created.id, {force: true}).catch(() => {});
		throw new C32Error(isC32Error(error) ? error.code : 'START_FAILED', `${step.name}: ${(error as Error).message}`);
	}
	return created.id;
}

/** A stop as its stop signal and grace period say, then the removal. */
async function removeContainer(engine: Engine, id: string): Promise<void> {
	const meta = await engine.getContainer(id).catch(() => null);
	if (meta === null) return;
	if (meta.state === 'running' || meta.state === 'paused' || meta.state === 'restarting') await engine.stopContainer(id).catch(() => {});
	await engine.removeContainer(id, {force: true});
}

/** Resolves once every depends_on condition of the service holds; fails when one never can. */
async function waitForDependencies(engine: Engine, plan: StackPlan, service: StackService, options: UpOptions): Promise<void> {
	for (const {service: dependency, condition} of service.dependsOn) {
		const refs = plan.steps.filter((s) => s.service === dependency && s.action !== 'remove').map((s) => s.name);
		for (const ref of refs) {
			if (condition === 'service_completed_successfully') {
				const code = await engine.waitContainer(ref);
				if (code !== 0) {
					throw new C32Error(
						'START_FAILED',
						`${ref} exited with ${code}: ${service.name} waits for ${dependency} to complete successfully (c32 logs ${ref})`,
					);
				}
			} else if (condition === 'service_healthy') await waitHealthy(engine, ref, service.name, options);
		}
	}
}

async function waitHealthy(engine: Engine, ref: string, waiting: string, options: UpOptions): Promise<void> {
	for (;;) {
		const meta = await engine.getContainer(ref);
		if (meta.health === undefined) {
			throw new C32Error(
				'INVALID_CONFIG',
				`${waiting} waits for ${ref} to be healthy, but it has no healthcheck: give it one or use condition service_started`,
			);
		}
		if (meta.health.status === 'healthy') return;
		if (meta.health.status === 'unhealthy')
			throw new C32Error('START_FAILED', `${ref} is unhealthy: ${waiting} waits for it to be healthy (c32 inspect ${ref})`);
		if (meta.state !== 'running' && meta.state !== 'restarting') {
			throw new C32Error('START_FAILED', `${ref} is ${meta.state} before it was healthy: ${waiting} waits for it (c32 logs ${ref})`);
		}
		if (options.signal?.aborted) throw new C32Error('BAD_STATE', `interrupted while ${waiting} waited for ${ref}`);
		await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
	}
}

/** The containers of a stack (by its label), oldest first. */
export async function stackContainers(engine: Engine, name: string): Promise<ContainerMetadata[]> {
	return (await engine.listContainers()).filter((c) => c.labels[STACK_LABEL] === name);
}

/** Stops every running container of a stack (they stay, as `up` without -d leaves them on Ctrl-C). */
export async function stopStack(engine: Engine, name: string): Promise<ContainerMetadata[]> {
	const live = (await stackContainers(engine, name)).filter(
		(c) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting',
	);
	return Promise.all(live.map((c) => engine.stopContainer(c.id)));
}

/**
 * Removes what the stack made and only that: the containers labelled with its name (dependents
 * first), then the networks it declares (not external ones) and its `<stack>_default`.
 * Resolves with the names removed.
 */
export async function downStack(
	engine: Engine,
	stack: Pick<Stack, 'name' | 'networks'>,
): Promise<{containers: string[]; networks: string[]}> {
	const containers = (await stackContainers(engine, stack.name)).reverse();
	await Promise.all(containers.map((c) => removeContainer(engine, c.id)));
	const names = new Set(stack.networks.filter((n) => !n.external).map((n) => n.name));
	names.add(`${stack.name}_default`);
	const existing = new Set((await engine.listNetworks()).map((n) => n.name));
	const networks: string[] = [];
	for (const name of names) {
		if (!existing.has(name)) continue;
		await engine.removeNetwork(name);
		networks.push(name);
	}
	return {containers: containers.map((c) => c.name), networks};
}

/** The service a container of a stack belongs to (its label), or null. */
export function serviceOf(container: ContainerMetadata): string | null {
	return container.labels[SERVICE_LABEL] ?? null;
}
