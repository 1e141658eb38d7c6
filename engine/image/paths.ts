// Where the OCI image store lives under a storage root (docs/storage.md, "OCI images").
import path from 'node:path';
import type {StorageLayout} from '../paths.js';

export interface OciPaths {
	/** <storage>/oci, 0700. */
	root: string;
	/** blobs/sha256: verified blobs, each named by the sha256 of its content. */
	blobs: string;
	/** layers/<diffid hex>[-<shift>]: each layer unpacked once. */
	layers: string;
	/** staging/<pid>-<rand>: a transfer in progress (skopeo's OCI layout, temporary files). */
	staging: string;
	/** The image records (a lock directory beside it while a process changes them). */
	records: string;
	/** Lock files of layers being unpacked. */
	locks: string;
}

export function ociPaths(layout: StorageLayout): OciPaths {
	const root = path.join(layout.storageDir, 'oci');
	return {
		root,
		blobs: path.join(root, 'blobs', 'sha256'),
		layers: path.join(root, 'layers'),
		staging: path.join(root, 'staging'),
		records: path.join(root, 'images.json'),
		locks: path.join(root, 'locks'),
	};
}
