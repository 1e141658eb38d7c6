// skopeo turns a docker-format image config into an OCI one on its way into an OCI layout,
// and OCI's config has no Healthcheck: docker's HEALTHCHECK would be lost (checked with
// skopeo 1.9.3). The staged layout gets it back from the source's own config before the
// store checks and takes the image (new config and manifest blobs, so new digests).
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {runSkopeo, type SkopeoOptions} from './skopeo.js';

/**
 * Copies `config.Healthcheck` of the source's config (`skopeo inspect --config --raw`, with
 * `flags` for the registry) into the single image of the staged OCI layout, if the source has
 * one and the staged config lost it.
 */
export async function keepHealthcheck(source: string, flags: string[], layoutDir: string, options: SkopeoOptions): Promise<void> {
	const original = parse(await runSkopeo(['inspect', '--config', '--raw', ...flags, source], options));
	const healthcheck = (original?.['config'] as Record<string, unknown> | undefined)?.['Healthcheck'];
	if (healthcheck === undefined || healthcheck === null) return;
	addHealthcheck(layoutDir, healthcheck);
}

/** Rewrites the layout's config (and so its manifest and index entry) with `healthcheck` in its runtime config. */
export function addHealthcheck(layoutDir: string, healthcheck: unknown): void {
	const blob = (digest: string) => path.join(layoutDir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
	const put = (value: unknown) => {
		const data = Buffer.from(JSON.stringify(value));
		const digest = `sha256:${sha256(data)}`;
		fs.writeFileSync(blob(digest), data, {mode: 0o600});
		return {digest, size: data.length};
	};
	const indexFile = path.join(layoutDir, 'index.json');
	const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as {manifests: {digest: string; size: number}[]};
	const entry = index.manifests[0];
	if (index.manifests.length !== 1 || !entry) return;
	const manifest = JSON.parse(fs.readFileSync(blob(entry.digest), 'utf8')) as {config: {digest: string; size: number}};
	const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8')) as {config?: Record<string, unknown>};
	if (config.config?.['Healthcheck'] !== undefined) return;
	config.config = {...config.config, Healthcheck: healthcheck};
	Object.assign(manifest.config, put(config));
	Object.assign(entry, put(manifest));
	fs.writeFileSync(indexFile, JSON.stringify(index), {mode: 0o600});
}

function parse(text: string): Record<string, unknown> | null {
	try {
		const value = JSON.parse(text) as unknown;
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}
