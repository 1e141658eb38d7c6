// The public shapes of OCI images in c32 (issue 10). Host-path images (a script or a
// directory snapshotted to /app) stay as they are; these describe images stored in layers.
import type {ImageHealthcheck} from '../health/types.js';

/** The runtime part of an OCI image config (docker's "Config"): what a container starts with. */
export interface OciImageConfig {
	entrypoint: string[] | null;
	cmd: string[] | null;
	/** "KEY=value" entries, in the image's order. */
	env: string[];
	workingDir: string | null;
	user: string | null;
	stopSignal: string | null;
	labels: Record<string, string>;
	/** "8080/tcp" and the like, as the image declares them. */
	exposedPorts: string[];
	/** docker's HEALTHCHECK (docker-format configs have it; OCI defines none); absent or null: none. */
	healthcheck?: ImageHealthcheck | null;
}

/** One stored image, as `c32 images` lists it. */
export interface ImageSummary {
	/** The config blob's digest, "sha256:<64 hex>" (docker's image id). */
	id: string;
	/** Fully qualified names, e.g. "127.0.0.1:5000/team/bot:1", "localhost/tool:latest"; empty when untagged. */
	names: string[];
	/** The manifest's digest, "sha256:<64 hex>". */
	digest: string;
	/** Bytes of its blobs as stored (compressed layers, config, manifest). */
	size: number;
	/** The image config's `created`, when it has one. */
	created: string | null;
	/** When this storage root got it (pull, load, import, commit). */
	storedAt: string;
}

export interface ImageLayer {
	/** The blob's digest (compressed, as stored). */
	digest: string;
	/** The digest of the uncompressed tar: the key of its unpacked directory. */
	diffId: string;
	size: number;
	mediaType: string;
}

export interface ImageDetails extends ImageSummary {
	architecture: string;
	os: string;
	config: OciImageConfig;
	/** Bottom first. */
	layers: ImageLayer[];
	/** Names of the containers that use it (rmi refuses those without force). */
	usedBy: string[];
}

export interface TransferProgress {
	/** copying: the transport (skopeo) writes blobs; unpacking: layers become directories; writing: a new layer is packed. */
	phase: 'copying' | 'unpacking' | 'writing';
	/** Bytes done and, when known, in all. */
	done: number;
	total: number | null;
	/** What is being worked on, e.g. a layer's short digest. */
	item?: string;
}

export interface TransferOptions {
	onProgress?(progress: TransferProgress): void;
	signal?: AbortSignal;
}

export interface PullOptions extends TransferOptions {
	/** false: plain http or self-signed TLS (a local registry). Default true. */
	tlsVerify?: boolean;
	/** A containers-auth.json / docker config.json; default: the usual places skopeo looks. */
	authFile?: string;
}

/** docker's --change instructions: "CMD ...", "ENTRYPOINT ...", "ENV K=V", "WORKDIR /x", "USER u", "LABEL k=v", "EXPOSE 80", "STOPSIGNAL SIGINT". */
export interface ChangeOptions {
	changes?: string[];
}

export type ArchiveFormat = 'oci-archive' | 'docker-archive';

export interface RemovedImage {
	/** The reference as given. */
	ref: string;
	id: string;
	/** The names this removal took off. */
	untagged: string[];
	/** Whether the image itself (and the layers no other image needs) went. */
	deleted: boolean;
}

export interface PruneResult {
	deleted: string[];
	reclaimedBytes: number;
}

/** What a file handed to `c32 import` / `c32 load` holds, told apart by content. */
export type ArchiveKind =
	| 'container-state' // the JSON of `c32 export`
	| 'container-archive' // a tar of `c32 export --with-image`: the state and its image
	| 'oci-archive'
	| 'docker-archive'
	| 'rootfs'; // any other tar: a root filesystem for `c32 import FILE NAME`

export interface DiskUsage {
	images: {count: number; size: number; reclaimable: number};
	/** Unpacked layers: `shared` is what more than one image uses, counted once in `size`. */
	layers: {count: number; size: number; shared: number};
	containers: {count: number; size: number};
}
