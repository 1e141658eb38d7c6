// PLACEHOLDER of the cli branch (H4), replaced at merge by the store's (H2) and the run
// helper's (H3) real implementations: only here so that ContainerEngine compiles in a branch
// that has no image store. The CLI's and the dashboard's tests use engine doubles and never
// reach these functions.
import {C32Error} from '../errors.js';
import type {StorageLayout} from '../paths.js';
import type {ContainerMetadata} from '../types.js';
import type {
	ArchiveFormat,
	ArchiveKind,
	ChangeOptions,
	DiskUsage,
	ImageDetails,
	ImageSummary,
	PruneResult,
	PullOptions,
	RemovedImage,
	TransferOptions,
} from './types.js';

function unsupported(): never {
	throw new C32Error('UNSUPPORTED', 'images arrive with the store branch');
}

export async function pullImage(_layout: StorageLayout, _ref: string, _options?: PullOptions): Promise<ImageSummary> {
	unsupported();
}
export async function loadImage(_layout: StorageLayout, _file: string, _options?: TransferOptions): Promise<ImageSummary[]> {
	unsupported();
}
export async function importImage(
	_layout: StorageLayout,
	_file: string,
	_name: string,
	_options?: ChangeOptions & TransferOptions,
): Promise<ImageSummary> {
	unsupported();
}
export async function listImages(_layout: StorageLayout): Promise<ImageSummary[]> {
	unsupported();
}
export async function inspectImage(_layout: StorageLayout, _ref: string): Promise<ImageDetails> {
	unsupported();
}
export async function tagImage(_layout: StorageLayout, _source: string, _target: string): Promise<void> {
	unsupported();
}
export async function removeImages(_layout: StorageLayout, _refs: string[], _options?: {force?: boolean}): Promise<RemovedImage[]> {
	unsupported();
}
export async function pruneImages(_layout: StorageLayout): Promise<PruneResult> {
	unsupported();
}
export async function saveImage(_layout: StorageLayout, _ref: string, _file: string, _options?: {format?: ArchiveFormat}): Promise<void> {
	unsupported();
}
export async function diskUsage(_layout: StorageLayout): Promise<DiskUsage> {
	unsupported();
}
export async function archiveKind(_layout: StorageLayout, _file: string): Promise<ArchiveKind> {
	unsupported();
}
export async function commitContainer(
	_layout: StorageLayout,
	_ref: string,
	_name: string,
	_options?: ChangeOptions & TransferOptions,
): Promise<ImageSummary> {
	unsupported();
}
export async function exportContainerArchive(_layout: StorageLayout, _ref: string, _file: string): Promise<void> {
	unsupported();
}
export async function importContainerArchive(_layout: StorageLayout, _file: string): Promise<ContainerMetadata> {
	unsupported();
}
