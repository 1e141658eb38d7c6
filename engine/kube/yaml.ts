// Kubernetes documents -> multi-document YAML, each comment before the node it is about.
import {Document, isMap, isScalar, isSeq, type Node} from 'yaml';
import {escapeControl} from '../text.js';
import type {KubeDocument} from './types.js';

export function kubeYaml(documents: KubeDocument[]): string {
	return documents.map(documentText).join('---\n');
}

function documentText({object, comments}: KubeDocument): string {
	// YAML 1.1 quoting: kubectl reads 1.1, where an unquoted yes, on or n is a boolean, not a string.
	const doc = new Document(object, {version: '1.1'});
	for (const {path, text} of comments) {
		// Names and paths in comments are user text: one line each, control characters escaped.
		const line = ` ${escapeControl(text)}`;
		if (path.length === 0) {
			doc.commentBefore = doc.commentBefore ? `${doc.commentBefore}\n${line}` : line;
			continue;
		}
		const target = keyOrItem(doc, path);
		if (target) target.commentBefore = target.commentBefore ? `${target.commentBefore}\n${line}` : line;
	}
	return doc.toString({lineWidth: 0});
}

/** The key node of a map entry, or the item of a list, at `path`. */
function keyOrItem(doc: Document, path: (string | number)[]): Node | null {
	const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
	const last = path[path.length - 1];
	if (isMap(parent)) {
		const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
		return pair && isScalar(pair.key) ? pair.key : null;
	}
	if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as Node | undefined) ?? null;
	return null;
}
