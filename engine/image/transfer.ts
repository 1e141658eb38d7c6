// pull and load: skopeo copies the image into a staging OCI layout, c32 checks every blob
// there, then the image enters the store. The staging directory goes however this ends
// (failure, abort, full disk): the store never holds half an image.
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {keepHealthcheck} from './keep-healthcheck.js';
import {type Descriptor, hostArchitecture, type Manifest, MEDIA, parseManifestOrIndex, pickPlatform} from './oci-json.js';
import {prepareLayout} from './prepare.js';
import {localName, parseReference, pullName, repositoryOf} from './reference.js';
import {LOOKUP_TIMEOUT, runSkopeo} from './skopeo.js';
import {bytesUnder, type Staging, withStaging} from './staging.js';
import type {ImageStore} from './store.js';
import {lookIntoTar} from './tar-scan.js';
import type {ImageSummary, PullOptions, TransferOptions, TransferProgress} from './types.js';

const PROGRESS_INTERVAL_MS = 200;

/** Runs `work` in a fresh staging directory, reporting its growth as copying progress; the directory goes afterwards. */
async function inStaging<T>(
	store: ImageStore,
	options: TransferOptions,
	total: () => number | null,
	work: (staging: Staging) => Promise<T>,
): Promise<T> {
	return withStaging(store, async (staging) => {
		let last = -1;
		const report = () => {
			const all = total();
			const done = bytesUnder(staging.layout);
			const progress: TransferProgress = {phase: 'copying', done: all === null ? done : Math.min(done, all), total: all};
			if (progress.done !== last) options.onProgress?.(progress);
			last = progress.done;
		};
		const timer = options.onProgress ? setInterval(report, PROGRESS_INTERVAL_MS) : null;
		try {
			const result = await work(staging);
			if (options.onProgress) {
				const all = total();
				options.onProgress({phase: 'copying', done: all ?? bytesUnder(staging.layout), total: all});
			}
			return result;
		} finally {
			if (timer) clearInterval(timer);
		}
	});
}

function copyArgs(staging: Staging): string[] {
	return ['copy', '--quiet', '--retry-times', '0', ...platformArgs(), '--tmpdir', staging.tmp];
}

function platformArgs(): string[] {
	return ['--override-os', 'linux', '--override-arch', hostArchitecture()];
}

// ---- pull

export async function pull(store: ImageStore, ref: string, options: PullOptions = {}): Promise<ImageSummary> {
	const name = pullName(ref);
	const what = `pull of ${name}`;
	const source = `docker://${name}`;
	const tls = options.tlsVerify === false ? ['--tls-verify=false'] : [];
	const auth = options.authFile ? ['--authfile', options.authFile] : [];
	if (options.authFile && !fs.existsSync(options.authFile)) {
		throw new C32Error(
			'INVALID_CONFIG',
			`the auth file ${options.authFile} does not exist: give a containers-auth.json or docker config.json`,
		);
	}
	// The look-up fails fast (an unknown tag, a registry that is not there) and tells the size.
	const manifest = await lookUp(source, name, [...tls, ...auth], what, options.signal);
	const total = manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
	const parsed = parseReference(name);
	// A name pulled by digest alone is kept as repo@digest; a tag and a digest keep the tag.
	const stored = parsed.tag !== null && parsed.digest !== null ? name.slice(0, name.lastIndexOf('@')) : name;
	return inStaging(
		store,
		options,
		() => total,
		async (staging) => {
			const srcFlags = [
				...(options.tlsVerify === false ? ['--src-tls-verify=false'] : []),
				...(options.authFile ? ['--src-authfile', options.authFile] : []),
			];
			await runSkopeo([...copyArgs(staging), ...srcFlags, source, `oci:${staging.layout}:x`], {what, signal: options.signal});
			if (manifest.mediaType === MEDIA.dockerManifest) {
				await keepHealthcheck(source, [...platformArgs(), ...tls, ...auth], staging.layout, {what, signal: options.signal});
			}
			const image = await prepareLayout(staging.layout, name);
			options.signal?.throwIfAborted();
			return store.enter(image, [stored]);
		},
	).catch((error) => {
		throw options.signal?.aborted && !(error instanceof C32Error && error.code === 'NO_SPACE') ? interrupted(what) : error;
	});
}

function interrupted(what: string): C32Error {
	return new C32Error('TRANSPORT_FAILED', `${what} was interrupted: nothing was stored`);
}

/** The manifest a pull will fetch (the one for this platform when the tag names an index). */
async function lookUp(source: string, name: string, flags: string[], what: string, signal?: AbortSignal): Promise<Manifest> {
	const inspect = (ref: string) =>
		runSkopeo(['--command-timeout', LOOKUP_TIMEOUT, 'inspect', '--raw', '--retry-times', '0', ...flags, ref], {what, signal});
	let parsed = parseManifestOrIndex(Buffer.from(await inspect(source)), `the manifest of ${name}`);
	if ('index' in parsed) {
		const instance: Descriptor = pickPlatform(parsed.index, `the image index of ${name}`);
		parsed = parseManifestOrIndex(
			Buffer.from(await inspect(`docker://${repositoryOf(name)}@${instance.digest}`)),
			`the manifest of ${name}`,
		);
		if ('index' in parsed) throw new C32Error('IMAGE_INVALID', `the manifest of ${name} is an index inside an index`);
	}
	return parsed.manifest;
}

// ---- load

interface ArchiveImage {
	/** The skopeo source (relative to the staging link of the archive). */
	source: (archive: string) => string;
	names: string[];
	label: string;
}

/** Loads every image of an oci-archive or docker-archive. */
export async function load(
	store: ImageStore,
	file: string,
	kind: 'oci-archive' | 'docker-archive',
	options: TransferOptions = {},
): Promise<ImageSummary[]> {
	const archive = path.resolve(file);
	const images = kind === 'oci-archive' ? await ociArchiveImages(archive) : await dockerArchiveImages(archive);
	const size = fs.statSync(archive).size;
	const loaded: ImageSummary[] = [];
	for (const image of images) {
		const what = `load of ${image.label} from ${file}`;
		loaded.push(
			await inStaging(
				store,
				options,
				() => size,
				async (staging) => {
					// skopeo splits its argument at ":": the archive is reached through a plain name.
					const link = path.join(staging.dir, 'archive.tar');
					fs.symlinkSync(archive, link);
					await runSkopeo([...copyArgs(staging), image.source(link), `oci:${staging.layout}:x`], {what, signal: options.signal});
					if (kind === 'docker-archive') await keepHealthcheck(image.source(link), [], staging.layout, {what, signal: options.signal});
					const prepared = await prepareLayout(staging.layout, image.label);
					options.signal?.throwIfAborted();
					return store.enter(prepared, image.names);
				},
			).catch((error) => {
				throw options.signal?.aborted && !(error instanceof C32Error && error.code === 'NO_SPACE') ? interrupted(what) : error;
			}),
		);
	}
	return loaded;
}

function archiveError(file: string, why: string): C32Error {
	return new C32Error('TRANSPORT_FAILED', `${file} is not a usable image archive: ${why}`);
}

function jsonIn(content: Buffer | undefined, file: string, member: string): unknown {
	if (content === undefined) throw archiveError(file, `it has no ${member}`);
	try {
		return JSON.parse(content.toString('utf8'));
	} catch {
		throw archiveError(file, `its ${member} is not valid JSON`);
	}
}

/** A name an archive gives an image, as c32 stores it; null when it is none (a bare tag such as "latest"). */
function archiveName(name: unknown, qualify: (name: string) => string): string | null {
	if (typeof name !== 'string' || name === '') return null;
	try {
		return qualify(name);
	} catch {
		return null;
	}
}

async function ociArchiveImages(file: string): Promise<ArchiveImage[]> {
	const look = await lookIntoTar(file, ['index.json']);
	if (look === null) throw archiveError(file, 'it is not a tar');
	const index = jsonIn(look.files.get('index.json'), file, 'index.json') as {manifests?: Descriptor[]};
	const manifests = Array.isArray(index?.manifests) ? index.manifests : [];
	if (manifests.length === 0) throw archiveError(file, 'its index.json lists no image');
	return manifests.map((descriptor, i) => {
		const refName = descriptor.annotations?.['org.opencontainers.image.ref.name'];
		const fullName = descriptor.annotations?.['io.containerd.image.name'];
		// A ref name that is only a tag ("latest") names no image; "team/bot:1" or "localhost/x:1" does.
		const name =
			archiveName(fullName, pullName) ?? (typeof refName === 'string' && /[/:]/.test(refName) ? archiveName(refName, localName) : null);
		if (manifests.length > 1 && typeof refName !== 'string') {
			throw archiveError(file, `it holds ${manifests.length} images and image ${i + 1} has no name to pick it by`);
		}
		return {
			source: (archive: string) => (manifests.length === 1 ? `oci-archive:${archive}` : `oci-archive:${archive}:${refName}`),
			names: name === null ? [] : [name],
			label: name ?? `image ${i + 1}`,
		};
	});
}

async function dockerArchiveImages(file: string): Promise<ArchiveImage[]> {
	const look = await lookIntoTar(file, ['manifest.json']);
	if (look === null) throw archiveError(file, 'it is not a tar');
	const manifest = jsonIn(look.files.get('manifest.json'), file, 'manifest.json');
	if (!Array.isArray(manifest) || manifest.length === 0) throw archiveError(file, 'its manifest.json lists no image');
	return manifest.map((entry: {RepoTags?: unknown}, i) => {
		// docker's names: "busybox:1" is docker.io/library/busybox:1.
		const names = (Array.isArray(entry?.RepoTags) ? entry.RepoTags : [])
			.map((tag: unknown) => archiveName(tag, pullName))
			.filter((n: string | null): n is string => n !== null);
		return {source: (archive: string) => `docker-archive:${archive}:@${i}`, names, label: names[0] ?? `image ${i + 1}`};
	});
}
