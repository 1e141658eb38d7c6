// Pure: a stack as the file wants it + the containers that exist -> the steps that make them
// agree. Each container carries the hash of its service's definition (c32.stack.hash): a
// changed definition is recreated, an unchanged one kept as it is.
import {createHash} from 'node:crypto';
import type {ContainerConfig, ContainerMetadata} from '../types.js';
import {startOrder} from './compose.js';
import {
	HASH_LABEL,
	NUMBER_LABEL,
	type PlanStep,
	SERVICE_LABEL,
	STACK_LABEL,
	type Stack,
	type StackPlan,
	type StackSummary,
} from './types.js';

/** The definition hash of a service's config: sorted-key JSON, sha256, 16 hex digits. */
export function definitionHash(config: ContainerConfig): string {
	return createHash('sha256').update(stableJson(config)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
		return `{${entries
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
			.join(',')}}`;
	}
	return JSON.stringify(value);
}

export function containerName(stack: string, service: string, number: number): string {
	return `${stack}-${service}-${number}`;
}

/** What the stack's containers are; `scale` overrides replicas per service. */
export function desiredContainers(stack: Stack, scale: Record<string, number> = {}): PlanStep[] {
	return stack.services.flatMap((service) => {
		const hash = definitionHash(service.config);
		const replicas = scale[service.name] ?? service.replicas;
		return Array.from({length: replicas}, (_, i) => {
			const name = containerName(stack.name, service.name, i + 1);
			const labels = {...service.config.labels, [NUMBER_LABEL]: String(i + 1), [HASH_LABEL]: hash};
			return {action: 'create' as const, name, service: service.name, config: {...service.config, name, labels}};
		});
	});
}

/** Whether an unchanged container should be started again: stopped, never started, or ended in failure (a job that succeeded stays done). */
function wantsStart(meta: ContainerMetadata): boolean {
	if (meta.state === 'created' || meta.state === 'stopped' || meta.state === 'failed') return true;
	return meta.state === 'exited' && meta.exitCode !== 0;
}

/**
 * The plan: every container of the stack (by its labels) that the file no longer wants is
 * removed; each wanted one is created when missing, recreated when its hash differs, started
 * when it is unchanged but stopped, else kept. UNKNOWN services in `scale` are the caller's to refuse.
 */
export function planStack(stack: Stack, existing: ContainerMetadata[], scale: Record<string, number> = {}): StackPlan {
	const mine = existing.filter((c) => c.labels[STACK_LABEL] === stack.name);
	const byName = new Map(mine.map((c) => [c.name, c]));
	const wanted = desiredContainers(stack, scale);
	const wantedNames = new Set(wanted.map((w) => w.name));
	const steps: PlanStep[] = mine
		.filter((c) => !wantedNames.has(c.name))
		.map((c) => ({action: 'remove' as const, name: c.name, service: c.labels[SERVICE_LABEL] ?? '', id: c.id}));
	const order = startOrder(stack.services);
	for (const service of order) {
		for (const want of wanted.filter((w) => w.service === service)) {
			const have = byName.get(want.name);
			if (!have) steps.push(want);
			else if (
				have.labels[HASH_LABEL] !== want.config!.labels![HASH_LABEL] ||
				have.labels[SERVICE_LABEL] !== service ||
				have.state === 'damaged'
			) {
				steps.push({...want, action: 'recreate', id: have.id});
			} else steps.push({action: wantsStart(have) ? 'start' : 'keep', name: want.name, service, id: have.id});
		}
	}
	return {stack: stack.name, steps, order};
}

/** A plan as `up` prints it: one line a step. */
export function planLines(plan: StackPlan): string[] {
	return plan.steps.map((step) => `${step.action} ${step.name}`);
}

/** The stacks the containers belong to (by their c32.stack label), by name. */
export function summarizeStacks(containers: ContainerMetadata[]): StackSummary[] {
	const stacks = new Map<string, StackSummary>();
	for (const c of containers) {
		const name = c.labels[STACK_LABEL];
		if (name === undefined) continue;
		const summary = stacks.get(name) ?? {name, services: [], running: 0, total: 0};
		const service = c.labels[SERVICE_LABEL];
		if (service !== undefined && !summary.services.includes(service)) summary.services.push(service);
		summary.total++;
		if (c.state === 'running' || c.state === 'paused') summary.running++;
		stacks.set(name, summary);
	}
	return [...stacks.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
