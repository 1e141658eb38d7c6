// Validates Kubernetes objects against the API's schema with kubernetes-models' classes.
// Not a test file.
import {Deployment} from 'kubernetes-models/apps/v1';
import {Pod, Service} from 'kubernetes-models/v1';
import {parseAllDocuments} from 'yaml';

/** Throws for an object the Kubernetes schema refuses (or a kind the tests do not expect). */
export function validateObject(object: Record<string, unknown>): void {
	const kind = object['kind'];
	// biome-ignore lint/suspicious/noExplicitAny: the classes take their own typed shapes
	const input = object as any;
	if (kind === 'Pod') new Pod(input).validate();
	else if (kind === 'Deployment') new Deployment(input).validate();
	else if (kind === 'Service') new Service(input).validate();
	else throw new Error(`unexpected kind ${String(kind)}`);
}

/** Every document of a generated YAML text, parsed and validated; returns the objects. */
export function validateYaml(text: string): Record<string, unknown>[] {
	const docs = parseAllDocuments(text);
	if (!Array.isArray(docs)) throw new Error('no documents');
	return docs.map((doc) => {
		if (doc.errors.length > 0) throw doc.errors[0]!;
		const object = doc.toJS() as Record<string, unknown>;
		validateObject(object);
		return object;
	});
}
