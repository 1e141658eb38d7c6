// c32 generate kube in-process against an engine double: operands, --stack, --image forms.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {type ImageFacts, resolveConfig} from '../../engine/config.js';
import {C32Error, type ContainerInfo} from '../../engine/index.js';
import {runCli} from '../../source/main.js';
import {fakeHost} from '../helpers/fake-host.js';
import {imageConfig} from '../helpers/images.js';
import {validateYaml} from '../helpers/kube-models.js';
import {fakeContext} from './fake-context.js';

const IMAGE: ImageFacts = {
	id: `sha256:${'a'.repeat(64)}`,
	name: 'registry.example.com/tool:1',
	digest: `sha256:${'c'.repeat(64)}`,
	config: imageConfig({cmd: ['/bin/sh']}),
};

function info(name: string, oci: boolean): ContainerInfo {
	const config = oci
		? resolveConfig({name, image: IMAGE.name!}, name, fakeHost(), IMAGE)
		: resolveConfig({name, entrypoint: 'sleep'}, name, fakeHost());
	return {name, config} as ContainerInfo;
}

const engine = {
	inspectContainer: async (ref: string) => {
		if (ref === 'web') return info('web', true);
		if (ref === 'hosty') return info('hosty', false);
		throw new C32Error('NOT_FOUND', `no such container: ${ref}`);
	},
};

const images = (stdout: string) => validateYaml(stdout).map((o) => (o['spec'] as {containers: {image: string}[]}).containers[0]!.image);

describe('c32 generate kube', () => {
	it('needs containers or --stack, not both', async () => {
		for (const argv of [
			['generate', 'kube'],
			['generate', 'kube', 'web', '--stack', 'compose.yaml'],
		]) {
			const {ctx, out} = fakeContext(engine);
			assert.equal(await runCli(argv, ctx), 2);
			assert.match(out.stderr, /give containers or --stack FILE \(one of them\)/);
		}
	});

	it('--image NAME for every container, --image REF=NAME for one', async () => {
		let {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['generate', 'kube', 'web', 'hosty', '--image', 'hosty=reg/hosty:2'], ctx), 0, out.stderr);
		assert.deepEqual(images(out.stdout), ['registry.example.com/tool:1', 'reg/hosty:2']);
		({ctx, out} = fakeContext(engine));
		assert.equal(await runCli(['generate', 'kube', 'web', 'hosty', '--image', 'reg/all:3'], ctx), 0, out.stderr);
		assert.deepEqual(images(out.stdout), ['reg/all:3', 'reg/all:3']);
		for (const bad of [
			['--image', 'a=', 'web'],
			['--image', 'x', '--image', 'y', 'web'],
		]) {
			({ctx, out} = fakeContext(engine));
			assert.equal(await runCli(['generate', 'kube', ...bad], ctx), 2);
			assert.match(out.stderr, /--image/);
		}
	});

	it('refuses a container without a pullable image, and an unknown one, writing nothing', async () => {
		let {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['generate', 'kube', 'web', 'hosty'], ctx), 1);
		assert.equal(out.stdout, '');
		assert.match(out.stderr, /^c32: error: hosty runs on the host's own trees .*c32 commit/);
		({ctx, out} = fakeContext(engine));
		assert.equal(await runCli(['generate', 'kube', 'ghost'], ctx), 1);
		assert.match(out.stderr, /no such container: ghost/);
	});
});
