// The shapes of c32's Kubernetes mapping (docs/kube.md): what `generate kube` is made from,
// the objects and comments it writes, and what `kube play` makes of a manifest. Plain data.
import type {Capability} from '../capabilities.js';
import type {ContainerConfig} from '../types.js';

/** What a container runs on, as far as a cluster is concerned. */
export type KubeImage =
	/** An OCI image: its name (null when it was given by id only) and id. */
	| {kind: 'oci'; reference: string | null; id?: string}
	/** A host path snapshotted to /app (a script or a directory), maybe on an OCI base. */
	| {kind: 'host-path'; path: string}
	/** No image: a root built from the host's own trees. */
	| {kind: 'host-root'};

/** One container or stack service, to become a Pod (or, with replicas, a Deployment). */
export interface KubeSource {
	/** The container's or the service's name. */
	name: string;
	/** Its config (the input form); `image` and `base` are read from `image` below instead. */
	config: ContainerConfig;
	image: KubeImage;
	/** A Deployment of this many replicas; absent: a Pod. */
	replicas?: number;
	/** The capability set the container has (ResolvedConfig.capabilities), when known; else computed from capAdd/capDrop. */
	capabilities?: Capability[] | null;
}

export interface GenerateOptions {
	/** The image a cluster pulls (the pushed name), in place of the source's own. */
	image?: string;
}

/** A comment written before the node at `path` of a document ([] = the document's top). */
export interface KubeComment {
	path: (string | number)[];
	text: string;
}

/** One YAML document: a Kubernetes object and the comments that go with it. */
export interface KubeDocument {
	object: Record<string, unknown>;
	comments: KubeComment[];
}

/** One container `kube play` creates. */
export interface PlayContainer {
	/** The workload it belongs to. */
	kind: 'Pod' | 'Deployment';
	workload: string;
	/** Its config, name and labels included. */
	config: ContainerConfig & {name: string};
}

/** A manifest read by kube play: what to create, and what was read but ignored. */
export interface KubePlan {
	containers: PlayContainer[];
	/** The workloads of the file (kind and name), for down. */
	workloads: {kind: 'Pod' | 'Deployment'; name: string}[];
	notes: string[];
}

/** The labels kube play puts on what it creates: down removes the containers that carry them. */
export const KUBE_KIND_LABEL = 'c32.kube.kind';
export const KUBE_NAME_LABEL = 'c32.kube.name';
export const KUBE_NUMBER_LABEL = 'c32.kube.number';
/** The label generate puts on a Pod (and a Deployment's template) for its Service and selector. */
export const APP_LABEL = 'app.kubernetes.io/name';
