// The OCI (and docker v2) JSON documents of an image: manifests, indexes and configs,
// checked as they are read, and the runtime config in c32's shape. Pure.
import {C32Error} from '../errors.js';
import {parseImageHealthcheck} from '../health/config.js';
import type {ImageHealthcheck} from '../health/types.js';
import {DIGEST} from './reference.js';
import type {ImageLayer, OciImageConfig} from './types.js';

export const MEDIA = {
	ociManifest: 'application/vnd.oci.image.manifest.v1+json',
	ociIndex: 'application/vnd.oci.image.index.v1+json',
	ociConfig: 'application/vnd.oci.image.config.v1+json',
	ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
	dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
	dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
	dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

const LAYER_TYPES = new Set([
	'application/vnd.oci.image.layer.v1.tar',
	'application/vnd.oci.image.layer.v1.tar+gzip',
	'application/vnd.oci.image.layer.v1.tar+zstd',
	'application/vnd.docker.image.rootfs.diff.tar.gzip',
	'application/vnd.docker.image.rootfs.diff.tar',
]);
const CONFIG_TYPES = new Set<string>([MEDIA.ociConfig, MEDIA.dockerConfig]);
const INDEX_TYPES = new Set<string>([MEDIA.ociIndex, MEDIA.dockerList]);

export interface Descriptor {
	mediaType: string;
	digest: string;
	size: number;
	platform?: {architecture?: string; os?: string; variant?: string};
	annotations?: Record<string, string>;
}

export interface Manifest {
	schemaVersion: 2;
	mediaType?: string;
	config: Descriptor;
	layers: Descriptor[];
	annotations?: Record<string, string>;
}

/** docker's runtime "config" of an image config, as stored. */
export interface RawRuntimeConfig {
	Entrypoint?: string[] | null;
	Cmd?: string[] | null;
	Env?: string[] | null;
	WorkingDir?: string;
	User?: string;
	StopSignal?: string;
	Labels?: Record<string, string> | null;
	ExposedPorts?: Record<string, object> | null;
	[key: string]: unknown;
}

export interface RawImageConfig {
	created?: string;
	architecture?: string;
	os?: string;
	config?: RawRuntimeConfig;
	rootfs: {type: 'layers'; diff_ids: string[]};
	history?: {created?: string; created_by?: string; comment?: string; empty_layer?: boolean}[];
	[key: string]: unknown;
}

function invalid(what: string, why: string): C32Error {
	return new C32Error('IMAGE_INVALID', `${what} ${why}: the image is damaged or of a kind c32 does not support`);
}

function parseJson(data: Uint8Array, what: string): Record<string, unknown> {
	let value: unknown;
	try {
		value = JSON.parse(Buffer.from(data).toString('utf8'));
	} catch {
		throw invalid(what, 'is not valid JSON');
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(what, 'is not a JSON object');
	return value as Record<string, unknown>;
}

function isDescriptor(value: unknown): value is Descriptor {
	const d = value as Descriptor | null;
	return (
		typeof d === 'object' &&
		d !== null &&
		typeof d.mediaType === 'string' &&
		typeof d.digest === 'string' &&
		DIGEST.test(d.digest) &&
		Number.isSafeInteger(d.size) &&
		d.size >= 0
	);
}

/** An index (a list of manifests, one per platform) or an image manifest. */
export function parseManifestOrIndex(data: Uint8Array, what: string): {index: Descriptor[]} | {manifest: Manifest} {
	const json = parseJson(data, what);
	if (json['schemaVersion'] !== 2) throw invalid(what, 'is not a schema 2 manifest (docker v1 images are not supported)');
	const mediaType = json['mediaType'];
	if ((typeof mediaType === 'string' && INDEX_TYPES.has(mediaType)) || (mediaType === undefined && Array.isArray(json['manifests']))) {
		const manifests = json['manifests'];
		if (!Array.isArray(manifests) || !manifests.every(isDescriptor)) throw invalid(what, 'lists malformed manifests');
		return {index: manifests};
	}
	const {config, layers} = json as Partial<Manifest>;
	if (!isDescriptor(config) || !CONFIG_TYPES.has(config.mediaType)) throw invalid(what, 'has no image config');
	if (!Array.isArray(layers) || !layers.every(isDescriptor)) throw invalid(what, 'lists malformed layers');
	const unknown = layers.find((layer) => !LAYER_TYPES.has(layer.mediaType));
	if (unknown) throw invalid(what, `has a layer of type ${unknown.mediaType}`);
	return {manifest: json as unknown as Manifest};
}

/** The OCI architecture name of this host (docker's GOARCH spelling). */
export function hostArchitecture(): string {
	const names: Record<string, string> = {
		x64: 'amd64',
		arm64: 'arm64',
		arm: 'arm',
		ia32: '386',
		ppc64: 'ppc64le',
		s390x: 's390x',
		riscv64: 'riscv64',
	};
	return names[process.arch] ?? process.arch;
}

/** The manifest of an index that runs here: linux on this host's architecture. */
export function pickPlatform(index: Descriptor[], what: string): Descriptor {
	const arch = hostArchitecture();
	const match = index.find((d) => d.platform?.os === 'linux' && d.platform.architecture === arch && !INDEX_TYPES.has(d.mediaType));
	if (match) return match;
	const offered = index.map((d) => `${d.platform?.os ?? '?'}/${d.platform?.architecture ?? '?'}`).join(', ');
	throw invalid(what, `has no linux/${arch} image (it has ${offered || 'none'})`);
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** An image config, checked: a linux image with one diff id per layer. */
export function parseImageConfig(data: Uint8Array, what: string, layerCount: number): RawImageConfig {
	const json = parseJson(data, what) as unknown as RawImageConfig;
	const diffIds = json.rootfs?.diff_ids;
	if (json.rootfs?.type !== 'layers' || !isStringArray(diffIds) || !diffIds.every((d) => DIGEST.test(d))) {
		throw invalid(what, 'has no valid rootfs.diff_ids');
	}
	if (diffIds.length !== layerCount) throw invalid(what, `names ${diffIds.length} layers where the manifest has ${layerCount}`);
	if (json.os !== undefined && json.os !== 'linux') throw invalid(what, `is for ${json.os}, not linux`);
	const config = json.config;
	if (config !== undefined && config !== null && (typeof config !== 'object' || Array.isArray(config)))
		throw invalid(what, 'has a malformed config');
	for (const key of ['Entrypoint', 'Cmd', 'Env'] as const) {
		const value = config?.[key];
		if (value !== undefined && value !== null && !isStringArray(value)) throw invalid(what, `has a malformed ${key}`);
	}
	return json;
}

/** The layers of a manifest with the diff ids of its config, bottom first. */
export function layersOf(manifest: Manifest, config: RawImageConfig): ImageLayer[] {
	return manifest.layers.map((layer, i) => ({
		digest: layer.digest,
		diffId: config.rootfs.diff_ids[i]!,
		size: layer.size,
		mediaType: layer.mediaType,
	}));
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The runtime part of an image config in c32's shape. */
export function runtimeConfig(raw: RawImageConfig): OciImageConfig {
	const c = raw.config ?? {};
	const labels: Record<string, string> = {};
	if (c.Labels && typeof c.Labels === 'object') {
		for (const [key, value] of Object.entries(c.Labels)) if (typeof value === 'string') labels[key] = value;
	}
	return {
		entrypoint: isStringArray(c.Entrypoint) && c.Entrypoint.length > 0 ? c.Entrypoint : null,
		cmd: isStringArray(c.Cmd) && c.Cmd.length > 0 ? c.Cmd : null,
		env: isStringArray(c.Env) ? c.Env : [],
		workingDir: text(c.WorkingDir),
		user: text(c.User),
		stopSignal: text(c.StopSignal),
		labels,
		exposedPorts: c.ExposedPorts && typeof c.ExposedPorts === 'object' ? Object.keys(c.ExposedPorts) : [],
		...withHealthcheck(parseImageHealthcheck(c['Healthcheck'])),
	};
}

/** Only an image that has a HEALTHCHECK carries the field. */
function withHealthcheck(healthcheck: ImageHealthcheck | null): {healthcheck?: ImageHealthcheck} {
	return healthcheck === null ? {} : {healthcheck};
}

/** `base` (a stored runtime config: its other keys are kept) with c32's fields set from `config`. */
export function toRawRuntimeConfig(config: OciImageConfig, base: RawRuntimeConfig = {}): RawRuntimeConfig {
	const raw: RawRuntimeConfig = {...base};
	const set = (key: string, value: unknown) => {
		if (
			value === null ||
			(Array.isArray(value) && value.length === 0) ||
			(typeof value === 'object' && Object.keys(value as object).length === 0)
		) {
			delete raw[key];
		} else raw[key] = value;
	};
	set('Entrypoint', config.entrypoint);
	set('Cmd', config.cmd);
	set('Env', config.env);
	set('WorkingDir', config.workingDir);
	set('User', config.user);
	set('StopSignal', config.stopSignal);
	set('Labels', config.labels);
	set('ExposedPorts', Object.fromEntries(config.exposedPorts.map((port) => [port, {}])));
	return raw;
}

export function emptyRuntimeConfig(): OciImageConfig {
	return {entrypoint: null, cmd: null, env: [], workingDir: null, user: null, stopSignal: null, labels: {}, exposedPorts: []};
}
