// The shapes of a stack: a compose file normalised to engine configs (loadStack), and the plan
// that brings the containers of a storage root in line with it (planStack). Plain JSON data.
import type {ContainerConfig} from '../types.js';

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';
export const DEPENDS_CONDITIONS: readonly DependsCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

/** One service of a stack file, converted. */
export interface StackService {
	/** Its key under `services`. */
	name: string;
	/**
	 * What each of its containers is created from, without `name` (the plan gives each replica
	 * `<stack>-<service>-<n>`); labels hold the stack's own (c32.stack, c32.stack.service) already.
	 */
	config: ContainerConfig;
	/** deploy.replicas, default 1 (0 is allowed: the service has no container). */
	replicas: number;
	dependsOn: {service: string; condition: DependsCondition}[];
}

/** A network a stack uses. */
export interface StackNetwork {
	/** Its key under `networks` (`default` for the one made for services that name none). */
	key: string;
	/** The c32 network: `<stack>_<key>`, or for an external one its own name. */
	name: string;
	/** External: it must exist already; up never creates it and down never removes it. */
	external: boolean;
	subnet?: string;
	internal?: boolean;
}

/** What loadStack returns: a compose file normalised. */
export interface Stack {
	name: string;
	/** The file it was read from (absolute). */
	file: string;
	/** In the file's order. */
	services: StackService[];
	/** Every network a service is on, the declared ones first. */
	networks: StackNetwork[];
	/** What was read but ignored (unknown x- extension keys, `version`). */
	warnings: string[];
}

export type PlanAction = 'create' | 'recreate' | 'start' | 'keep' | 'remove';

/** One step of a plan, for one container. */
export interface PlanStep {
	action: PlanAction;
	/** The container's name, `<stack>-<service>-<n>`. */
	name: string;
	service: string;
	/** The container it acts on (recreate, start, keep, remove). */
	id?: string;
	/** What it is created from (create, recreate), labels and name included. */
	config?: ContainerConfig;
}

export interface StackPlan {
	stack: string;
	/** Removals first, then the services in start order (dependencies first). */
	steps: PlanStep[];
	/** The service names in start order. */
	order: string[];
}

/** A stack as `c32 stack ls` shows it, from the labels of the containers it made. */
export interface StackSummary {
	name: string;
	services: string[];
	running: number;
	total: number;
}

export const STACK_LABEL = 'c32.stack';
export const SERVICE_LABEL = 'c32.stack.service';
export const NUMBER_LABEL = 'c32.stack.number';
export const HASH_LABEL = 'c32.stack.hash';
