// The OCI image store with real tools: skopeo, a docker-registry on 127.0.0.1, images built
// by umoci from busybox-static. Every failure leaves nothing behind in the store.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {type TestContext, test} from 'node:test';
import type {ContainerEngine} from '../../engine/index.js';
import {engineFor, expectCode, makeTempDir, needsRuntime} from '../helpers/engine.js';
import {freePort, needsImageTools, type OciFixtures, ociFixtures, push, SHARED, startRegistry, TWO_LAYER} from '../helpers/oci-fixtures.js';

function setup(t: TestContext): {engine: ContainerEngine; dir: string; fixtures: OciFixtures} | null {
	if (!needsImageTools(t)) return null;
	const {engine, dir} = engineFor(t);
	return {engine, dir, fixtures: ociFixtures()};
}

const list = (dir: string) => {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
};

/** What a failed transfer must not leave: staging directories, blobs, half-unpacked layers, records. */
function assertEmptyStore(dir: string, what: string): void {
	assert.deepEqual(list(path.join(dir, 'oci', 'staging')), [], `${what}: staging is empty`);
	assert.deepEqual(list(path.join(dir, 'oci', 'blobs', 'sha256')), [], `${what}: no blob stored`);
	assert.deepEqual(
		list(path.join(dir, 'oci', 'layers')).filter((name) => name.startsWith('.staging-')),
		[],
		`${what}: no layer half-unpacked`,
	);
	const records = path.join(dir, 'oci', 'images.json');
	if (fs.existsSync(records)) assert.deepEqual(JSON.parse(fs.readFileSync(records, 'utf8')).images, {}, `${what}: no image recorded`);
}

function flipByte(file: string, at: number): void {
	const data = fs.readFileSync(file);
	data[at] = data[at]! ^ 0xff;
	fs.writeFileSync(file, data);
}

const blobFile = (dir: string, digest: string) => path.join(dir, 'oci', 'blobs', 'sha256', digest.slice('sha256:'.length));

test('load of an oci-archive: the name, the config and every blob, checked and stored 0600', async (t) => {
	const s = setup(t);
	if (!s) return;
	const progress: number[] = [];
	const [image] = await s.engine.loadImage(s.fixtures.ociArchive, {onProgress: (p) => progress.push(p.done)});
	assert.deepEqual(image!.names, [TWO_LAYER.name]);
	assert.ok(progress.length > 0 && progress.at(-1)! > 0, 'progress was reported');
	const details = await s.engine.inspectImage('test/two-layer:1');
	assert.equal(details.id, image!.id);
	assert.equal(details.layers.length, 2);
	assert.ok(details.config.env.includes(TWO_LAYER.env));
	assert.deepEqual(details.config.cmd, ['/bin/sh', '-c', 'echo $GREETING']);
	for (const digest of [details.id, details.digest, ...details.layers.map((l) => l.digest)]) {
		assert.equal(fs.statSync(blobFile(s.dir, digest)).mode & 0o777, 0o600, digest);
	}
	assert.equal(fs.statSync(path.join(s.dir, 'oci')).mode & 0o777, 0o700);
	assert.deepEqual(list(path.join(s.dir, 'oci', 'staging')), []);
	assert.equal((await s.engine.listImages()).length, 1);
});

test('load of a docker-archive gives the same runtime config and layers by diff id', async (t) => {
	const s = setup(t);
	if (!s) return;
	const [fromDocker] = await s.engine.loadImage(s.fixtures.dockerArchive);
	const docker = await s.engine.inspectImage(fromDocker!.id);
	assert.deepEqual(docker.names, [TWO_LAYER.name]);
	assert.ok(docker.config.env.includes(TWO_LAYER.env));
	assert.deepEqual(docker.config.cmd, ['/bin/sh', '-c', 'echo $GREETING']);
	const {engine: other} = engineFor(t);
	const [fromOci] = await other.loadImage(s.fixtures.ociArchive);
	const oci = await other.inspectImage(fromOci!.id);
	assert.deepEqual(
		docker.layers.map((l) => l.diffId),
		oci.layers.map((l) => l.diffId),
	);
});

test('pull from a registry on 127.0.0.1, with docker:// and --tls-verify=false; the layers unpack', async (t) => {
	const s = setup(t);
	if (!s) return;
	const registry = await startRegistry(t);
	push(s.fixtures, 'two-layer', `${registry.host}/team/bot:1`);
	const seen: {done: number; total: number | null}[] = [];
	const image = await s.engine.pullImage(`docker://${registry.host}/team/bot:1`, {tlsVerify: false, onProgress: (p) => seen.push(p)});
	assert.deepEqual(image.names, [`${registry.host}/team/bot:1`]);
	assert.ok(seen.length > 0 && seen.at(-1)!.done === seen.at(-1)!.total, `progress ends complete: ${JSON.stringify(seen.at(-1))}`);
	const details = await s.engine.inspectImage(`${registry.host}/team/bot:1`);
	assert.ok(details.config.env.includes(TWO_LAYER.env));
	const dirs = await (await s.engine.images()).layerDirs(image.id, 0);
	assert.equal(dirs.length, 2);
	assert.ok(fs.statSync(path.join(dirs[0]!, 'bin', 'busybox')).isFile());
	assert.equal(fs.readFileSync(path.join(dirs[1]!, TWO_LAYER.addedFile), 'utf8').trim(), TWO_LAYER.addedContent);
	const whiteout = fs.lstatSync(path.join(dirs[1]!, TWO_LAYER.deletedFile));
	assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0, 'layer 2 deletes the file with an overlayfs whiteout');
	// A second pull of the same image stores nothing new.
	const blobs = list(path.join(s.dir, 'oci', 'blobs', 'sha256')).length;
	await s.engine.pullImage(`${registry.host}/team/bot:1`, {tlsVerify: false});
	assert.equal(list(path.join(s.dir, 'oci', 'blobs', 'sha256')).length, blobs);
});

test('pull failures: unknown tag, unreachable registry, https to a plain-http one — one line within seconds, nothing stored', async (t) => {
	const s = setup(t);
	if (!s) return;
	const registry = await startRegistry(t);
	push(s.fixtures, 'two-layer', `${registry.host}/team/bot:1`);
	const closed = await freePort();
	const cases: [string, {tlsVerify?: boolean}, RegExp][] = [
		[`${registry.host}/team/bot:nope`, {tlsVerify: false}, /no such image or tag/],
		[`${registry.host}/team/nothere:1`, {tlsVerify: false}, /no such image or tag/],
		[`127.0.0.1:${closed}/team/bot:1`, {tlsVerify: false}, /refused the connection/],
		[`${registry.host}/team/bot:1`, {}, /--tls-verify=false/],
	];
	for (const [ref, options, reason] of cases) {
		const started = Date.now();
		const error = await expectCode(s.engine.pullImage(ref, options), 'TRANSPORT_FAILED');
		assert.ok(Date.now() - started < 5000, `${ref} failed within seconds (${Date.now() - started} ms)`);
		assert.match(error.message, reason);
		assert.ok(!error.message.includes('level=fatal'), `no raw skopeo output: ${error.message}`);
	}
	assertEmptyStore(s.dir, 'failed pulls');
});

/** A TCP relay that passes the registry's answers on slowly, so a pull can be interrupted mid-copy. */
async function slowRelay(t: TestContext, target: string): Promise<string> {
	const [host, port] = target.split(':');
	const server = net.createServer((client) => {
		const upstream = net.connect(Number(port), host);
		client.pipe(upstream);
		upstream.on('data', (chunk: Buffer) => {
			upstream.pause();
			let at = 0;
			const step = () => {
				if (client.destroyed) return;
				client.write(chunk.subarray(at, at + 4096));
				at += 4096;
				if (at < chunk.length) setTimeout(step, 20);
				else upstream.resume();
			};
			step();
		});
		const end = () => {
			client.destroy();
			upstream.destroy();
		};
		client.on('error', end).on('close', end);
		upstream.on('error', end).on('close', () => setTimeout(end, 100));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.after(() => new Promise((resolve) => server.close(resolve)));
	return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

test('an interrupted pull (abort) ends skopeo and leaves nothing in staging or blobs', async (t) => {
	const s = setup(t);
	if (!s) return;
	const registry = await startRegistry(t);
	push(s.fixtures, 'two-layer', `${registry.host}/team/bot:1`);
	const relay = await slowRelay(t, registry.host);
	const controller = new AbortController();
	let copying = false;
	const pulling = s.engine.pullImage(`${relay}/team/bot:1`, {
		tlsVerify: false,
		signal: controller.signal,
		onProgress: (p) => {
			if (p.done > 0 && !copying) {
				copying = true;
				controller.abort();
			}
		},
	});
	setTimeout(() => controller.abort(), 8000).unref();
	const error = await expectCode(pulling, 'TRANSPORT_FAILED');
	assert.ok(copying, 'the abort came while skopeo was copying');
	assert.match(error.message, /interrupted/);
	assertEmptyStore(s.dir, 'an aborted pull');
	const skopeos = execFileSync('ps', ['-eo', 'args'], {maxBuffer: 64 * 1024 * 1024})
		.toString()
		.split('\n')
		.filter((line) => line.includes(`${relay}/team/bot`));
	assert.deepEqual(skopeos, [], 'skopeo was ended');
});

test('import of a rootfs tar (plain and gzip) with --change; a bad change stores nothing', async (t) => {
	const s = setup(t);
	if (!s) return;
	const changes = [
		'CMD ["/bin/echo", "imported"]',
		'ENV MODE=test',
		'WORKDIR /root',
		'USER nobody',
		'LABEL team=bots',
		'EXPOSE 8080',
		'STOPSIGNAL SIGINT',
		'ENTRYPOINT ["/bin/env"]',
	];
	const plain = await s.engine.importImage(s.fixtures.rootfsTar, 'tool', {changes});
	assert.deepEqual(plain.names, ['localhost/tool:latest']);
	const details = await s.engine.inspectImage('tool');
	assert.deepEqual(details.config, {
		entrypoint: ['/bin/env'],
		cmd: ['/bin/echo', 'imported'],
		env: ['MODE=test'],
		workingDir: '/root',
		user: 'nobody',
		stopSignal: 'SIGINT',
		labels: {team: 'bots'},
		exposedPorts: ['8080/tcp'],
	});
	assert.equal(details.layers.length, 1);
	const gz = await s.engine.importImage(s.fixtures.rootfsTarGz, 'tool:gz');
	assert.equal((await s.engine.inspectImage(gz.id)).layers[0]!.diffId, details.layers[0]!.diffId, 'the same tar, the same diff id');
	const [dir] = await (await s.engine.images()).layerDirs(gz.id, 0);
	assert.ok(fs.statSync(path.join(dir!, 'bin', 'busybox')).isFile());
	// The name moves to the newest image, as in docker.
	const again = await s.engine.importImage(s.fixtures.rootfsTarGz, 'tool', {changes: ['CMD ["/bin/sh"]']});
	assert.deepEqual((await s.engine.inspectImage('tool')).id, again.id);
	assert.deepEqual((await s.engine.inspectImage(plain.id)).names, []);

	const {engine: fresh, dir: freshDir} = engineFor(t);
	await expectCode(fresh.importImage(s.fixtures.rootfsTar, 'x', {changes: ['RUN make']}), 'INVALID_CONFIG');
	await expectCode(fresh.importImage(s.fixtures.rootfsTar, 'Bad Name'), 'INVALID_CONFIG');
	const notTar = path.join(freshDir, 'not-a-tar');
	fs.writeFileSync(notTar, 'just text, no archive\n'.repeat(100));
	await expectCode(fresh.importImage(notTar, 'x'), 'TRANSPORT_FAILED');
	assertEmptyStore(freshDir, 'failed imports');
});

test('two images sharing a base layer store it once; system df shows it', async (t) => {
	const s = setup(t);
	if (!s) return;
	const [two] = await s.engine.loadImage(s.fixtures.ociArchive);
	const [shared] = await s.engine.loadImage(s.fixtures.sharedArchive);
	const a = await s.engine.inspectImage(two!.id);
	const b = await s.engine.inspectImage(shared!.id);
	assert.equal(a.layers[0]!.digest, b.layers[0]!.digest, 'the fixture shares layer 1');
	const store = await s.engine.images();
	const [dirsA, dirsB] = [await store.layerDirs(a.id, 0), await store.layerDirs(b.id, 0)];
	assert.equal(dirsA[0], dirsB[0], 'one directory for the shared layer');
	assert.notEqual(dirsA[1], dirsB[1]);
	const usage = await s.engine.diskUsage();
	assert.equal(usage.images.count, 2);
	assert.equal(usage.images.size, two!.size + shared!.size - a.layers[0]!.size, 'the shared blob counted once');
	assert.equal(usage.layers.count, 3);
	assert.ok(
		usage.layers.shared > 1_000_000 && usage.layers.shared < usage.layers.size,
		`shared ${usage.layers.shared} of ${usage.layers.size}`,
	);
	// Removing one image keeps what the other needs.
	await s.engine.removeImages([SHARED.name]);
	assert.ok(fs.existsSync(blobFile(s.dir, a.layers[0]!.digest)));
	assert.ok(fs.existsSync(dirsA[0]!));
	assert.ok(!fs.existsSync(dirsB[1]!), "the removed image's own layer went");
	assert.ok(!fs.existsSync(blobFile(s.dir, b.layers[1]!.digest)));
	assert.ok(!fs.existsSync(blobFile(s.dir, b.id)));
	// The id-shifted copy of a layer is its own directory, removed with the image.
	const shifted = await store.layerDirs(a.id, 100000);
	assert.match(path.basename(shifted[0]!), /^[0-9a-f]{64}-100000$/);
	assert.equal(fs.statSync(path.join(shifted[0]!, 'bin', 'busybox')).uid, 100000);
	assert.equal(fs.statSync(path.join(dirsA[0]!, 'bin', 'busybox')).uid, 0);
	await s.engine.removeImages([a.id]);
	assert.deepEqual(list(path.join(s.dir, 'oci', 'layers')), []);
	assert.deepEqual(list(path.join(s.dir, 'oci', 'blobs', 'sha256')), []);
});

test('a tampered blob is refused: the config on inspect, a layer on unpack, naming the blob', async (t) => {
	const s = setup(t);
	if (!s) return;
	const [image] = await s.engine.loadImage(s.fixtures.ociArchive);
	const details = await s.engine.inspectImage(image!.id);
	const store = await s.engine.images();
	const layer = details.layers[1]!;
	flipByte(blobFile(s.dir, layer.digest), Math.floor(layer.size / 2));
	const unpack = await expectCode(store.layerDirs(image!.id, 0), 'IMAGE_INVALID');
	assert.ok(unpack.message.includes(layer.digest), unpack.message);
	assert.ok(!fs.existsSync(path.join(s.dir, 'oci', 'layers', layer.diffId.slice(7))), 'no directory for the tampered layer');
	assert.deepEqual(
		list(path.join(s.dir, 'oci', 'layers')).filter((n) => n.startsWith('.staging-')),
		[],
	);
	flipByte(blobFile(s.dir, details.id), 10);
	const inspect = await expectCode(s.engine.inspectImage(image!.id), 'IMAGE_INVALID');
	assert.ok(inspect.message.includes(details.id), inspect.message);
	await expectCode(store.resolve(TWO_LAYER.name), 'IMAGE_INVALID');
});

test('a layer that unpacks to another diff id than its config names is refused', async (t) => {
	const s = setup(t);
	if (!s) return;
	// An OCI layout whose config lies about layer 2 (every digest is right, so it loads).
	const layout = makeTempDir('c32-lying-layout-');
	t.after(() => fs.rmSync(layout, {recursive: true, force: true}));
	fs.cpSync(s.fixtures.layout, layout, {recursive: true});
	const blob = (digest: string) => path.join(layout, 'blobs', 'sha256', digest.slice(7));
	const write = (data: string) => {
		const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
		fs.writeFileSync(blob(digest), data);
		return {digest, size: Buffer.byteLength(data)};
	};
	const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
	const entry = index.manifests.find(
		(m: {annotations?: Record<string, string>}) => m.annotations?.['org.opencontainers.image.ref.name'] === 'two-layer',
	);
	const manifest = JSON.parse(fs.readFileSync(blob(entry.digest), 'utf8'));
	const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8'));
	config.rootfs.diff_ids[1] = `sha256:${'0'.repeat(64)}`;
	manifest.config = {...manifest.config, ...write(JSON.stringify(config))};
	const written = write(JSON.stringify(manifest));
	index.manifests = [{...entry, ...written, annotations: {'org.opencontainers.image.ref.name': 'localhost/lying:1'}}];
	fs.writeFileSync(path.join(layout, 'index.json'), JSON.stringify(index));
	const archive = path.join(s.dir, 'lying.tar');
	execFileSync('tar', ['-C', layout, '-cf', archive, '.']);
	const [image] = await s.engine.loadImage(archive);
	const error = await expectCode((await s.engine.images()).layerDirs(image!.id, 0), 'IMAGE_INVALID');
	assert.match(error.message, /diff id/);
	const layers = list(path.join(s.dir, 'oci', 'layers'));
	assert.equal(layers.length, 1, `only the honest layer 1 was kept: ${layers}`);
});

test('corrupt and foreign archives are refused with nothing stored', async (t) => {
	const s = setup(t);
	if (!s) return;
	const bytes = path.join(s.dir, 'noise.bin');
	fs.writeFileSync(bytes, Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919) % 251)));
	await expectCode(s.engine.loadImage(bytes), 'TRANSPORT_FAILED');
	await expectCode(s.engine.archiveKind(bytes), 'TRANSPORT_FAILED');
	await expectCode(s.engine.loadImage(path.join(s.dir, 'missing.tar')), 'TRANSPORT_FAILED');
	await expectCode(s.engine.loadImage(s.fixtures.rootfsTar), 'TRANSPORT_FAILED');
	// An archive cut short: its index says more than it holds.
	const truncated = path.join(s.dir, 'truncated.tar');
	fs.writeFileSync(truncated, fs.readFileSync(s.fixtures.ociArchive).subarray(0, 600_000));
	const error = await s.engine.loadImage(truncated).then(
		() => null,
		(e: Error & {code?: string}) => e,
	);
	assert.ok(error && (error.code === 'TRANSPORT_FAILED' || error.code === 'IMAGE_INVALID'), `refused: ${error?.message}`);
	assert.ok(!error.message.includes('\n'));
	// A blob altered inside an archive.
	const altered = path.join(s.dir, 'altered.tar');
	const data = fs.readFileSync(s.fixtures.dockerArchive);
	const at = data.indexOf('added by layer two');
	if (at > 0) {
		data[at] = 'A'.charCodeAt(0);
		fs.writeFileSync(altered, data);
		const refused = await s.engine.loadImage(altered).then(
			() => null,
			(e: Error & {code?: string}) => e,
		);
		assert.ok(refused && ['TRANSPORT_FAILED', 'IMAGE_INVALID'].includes(refused.code!), `an altered layer is refused: ${refused?.message}`);
	}
	assertEmptyStore(s.dir, 'refused archives');
});

test('archiveKind tells the kinds apart by content', async (t) => {
	const s = setup(t);
	if (!s) return;
	const state = path.join(s.dir, 'state.json');
	fs.writeFileSync(state, '  \n{"formatVersion": 2}');
	const bundle = makeTempDir('c32-archive-kind-');
	t.after(() => fs.rmSync(bundle, {recursive: true, force: true}));
	fs.writeFileSync(path.join(bundle, 'c32-state.json'), '{}');
	fs.writeFileSync(path.join(bundle, 'oci-layout'), '{}');
	const containerArchive = path.join(s.dir, 'container.tar');
	execFileSync('tar', ['-C', bundle, '-cf', containerArchive, './c32-state.json', './oci-layout']);
	assert.equal(await s.engine.archiveKind(state), 'container-state');
	assert.equal(await s.engine.archiveKind(containerArchive), 'container-archive');
	assert.equal(await s.engine.archiveKind(s.fixtures.ociArchive), 'oci-archive');
	assert.equal(await s.engine.archiveKind(s.fixtures.dockerArchive), 'docker-archive');
	assert.equal(await s.engine.archiveKind(s.fixtures.rootfsTar), 'rootfs');
	assert.equal(await s.engine.archiveKind(s.fixtures.rootfsTarGz), 'rootfs');
});

test('references: malformed is INVALID_CONFIG, unknown is IMAGE_NOT_FOUND; ids, prefixes and digests resolve', async (t) => {
	const s = setup(t);
	if (!s) return;
	const [image] = await s.engine.loadImage(s.fixtures.ociArchive);
	await expectCode(s.engine.pullImage('Bad//Ref:tag'), 'INVALID_CONFIG');
	await expectCode(s.engine.inspectImage('no/such:image'), 'IMAGE_NOT_FOUND');
	await expectCode(s.engine.tagImage(image!.id, 'Upper:case'), 'INVALID_CONFIG');
	await expectCode(s.engine.removeImages(['never-heard-of-it']), 'IMAGE_NOT_FOUND');
	const hex = image!.id.slice(7);
	for (const ref of [
		image!.id,
		hex,
		hex.slice(0, 12),
		`sha256:${hex.slice(0, 12)}`,
		`test/two-layer@${image!.digest}`,
		image!.digest,
		'localhost/test/two-layer:1',
	]) {
		assert.equal((await s.engine.inspectImage(ref)).id, image!.id, ref);
	}
	await expectCode(s.engine.inspectImage('test/two-layer'), 'IMAGE_NOT_FOUND'); // :latest is not :1
});

test('tag: names move between images; rmi of one of two names only untags', async (t) => {
	const s = setup(t);
	if (!s) return;
	const [a] = await s.engine.loadImage(s.fixtures.ociArchive);
	const [b] = await s.engine.loadImage(s.fixtures.sharedArchive);
	await s.engine.tagImage(a!.id, 'bot:prod');
	assert.deepEqual((await s.engine.inspectImage('bot:prod')).id, a!.id);
	await s.engine.tagImage(SHARED.name, 'localhost/bot:prod');
	assert.equal((await s.engine.inspectImage('bot:prod')).id, b!.id);
	assert.deepEqual((await s.engine.inspectImage(a!.id)).names, [TWO_LAYER.name]);
	const [removed] = await s.engine.removeImages(['bot:prod']);
	assert.deepEqual(removed, {ref: 'bot:prod', id: b!.id, untagged: ['localhost/bot:prod'], deleted: false});
	assert.deepEqual((await s.engine.inspectImage(b!.id)).names, [SHARED.name]);
});

test('rmi of an image a container uses: IMAGE_IN_USE, -f untags and keeps it, prune removes it once unused', async (t) => {
	if (!needsRuntime(t)) return;
	const s = setup(t);
	if (!s) return;
	const [image] = await s.engine.loadImage(s.fixtures.ociArchive);
	const [other] = await s.engine.loadImage(s.fixtures.sharedArchive);
	await s.engine.removeImages([other!.id]);
	// A real container record, pointing at the image as H3's create records it (config.ociImage).
	const container = await s.engine.createContainer({name: 'user-of-image', entrypoint: 'true'});
	const stateFile = path.join(s.dir, 'containers', container.id, 'state.json');
	const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
	state.config.ociImage = {id: image!.id, name: TWO_LAYER.name, digest: image!.digest};
	fs.writeFileSync(stateFile, JSON.stringify(state));

	assert.deepEqual((await s.engine.inspectImage(image!.id)).usedBy, ['user-of-image']);
	const error = await expectCode(s.engine.removeImages([TWO_LAYER.name]), 'IMAGE_IN_USE');
	assert.match(error.message, /user-of-image/);
	const [forced] = await s.engine.removeImages([TWO_LAYER.name], {force: true});
	assert.deepEqual(forced, {ref: TWO_LAYER.name, id: image!.id, untagged: [TWO_LAYER.name], deleted: false});
	const kept = await s.engine.inspectImage(image!.id);
	assert.deepEqual(kept.names, []);
	for (const layer of kept.layers)
		assert.ok(fs.existsSync(blobFile(s.dir, layer.digest)), 'its layers stay while the container needs them');
	assert.deepEqual((await s.engine.pruneImages()).deleted, [], 'prune keeps an image in use');
	const before = (await s.engine.diskUsage()).images;
	assert.equal(before.reclaimable, 0);

	await s.engine.removeContainer(container.id, {force: true});
	const pruned = await s.engine.pruneImages();
	assert.deepEqual(pruned.deleted, [image!.id]);
	assert.ok(pruned.reclaimedBytes >= before.size, `reclaimed ${pruned.reclaimedBytes}`);
	assert.deepEqual(await s.engine.listImages(), []);
	assert.deepEqual(list(path.join(s.dir, 'oci', 'blobs', 'sha256')), []);
});

test('save → load round trip, as oci-archive and docker-archive, into another storage root', async (t) => {
	const s = setup(t);
	if (!s) return;
	const [image] = await s.engine.loadImage(s.fixtures.ociArchive);
	await s.engine.tagImage(image!.id, 'copy:2');
	const out = makeTempDir('c32-save-');
	t.after(() => fs.rmSync(out, {recursive: true, force: true}));
	const oci = path.join(out, 'saved.oci.tar');
	const docker = path.join(out, 'saved.docker.tar');
	await s.engine.saveImage('copy:2', oci);
	await s.engine.saveImage('copy:2', docker, {format: 'docker-archive'});
	assert.deepEqual(list(out).sort(), ['saved.docker.tar', 'saved.oci.tar'], 'no temporary file left');
	assert.equal(await s.engine.archiveKind(oci), 'oci-archive');
	assert.equal(await s.engine.archiveKind(docker), 'docker-archive');

	const {engine: other} = engineFor(t);
	const [fromOci] = await other.loadImage(oci);
	assert.equal(fromOci!.id, image!.id, 'an oci-archive keeps the image as it is');
	assert.deepEqual(fromOci!.names, [TWO_LAYER.name]);
	const {engine: third} = engineFor(t);
	const [fromDocker] = await third.loadImage(docker);
	assert.deepEqual(fromDocker!.names.sort(), ['localhost/copy:2', TWO_LAYER.name].sort(), 'a docker-archive carries every name');
	assert.ok((await third.inspectImage('copy:2')).config.env.includes(TWO_LAYER.env));
	await expectCode(s.engine.saveImage('copy:2', path.join(out, 'no-such-dir', 'x.tar')), 'INVALID_CONFIG');
	await expectCode(s.engine.saveImage('nope', path.join(out, 'x.tar')), 'IMAGE_NOT_FOUND');
});

test('a full disk is NO_SPACE, with nothing half-written (a tiny tmpfs storage root)', async (t) => {
	if (!needsRuntime(t)) return;
	if (!needsImageTools(t)) return;
	const fixtures = ociFixtures();
	const dir = makeTempDir('c32-full-');
	execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'tmpfs', dir]);
	t.after(() => {
		execFileSync('umount', [dir]);
		fs.rmSync(dir, {recursive: true, force: true});
	});
	const {getEngine} = await import('../../engine/index.js');
	const engine = getEngine({storageDir: dir});
	const loading = await expectCode(engine.loadImage(fixtures.ociArchive), 'NO_SPACE');
	assert.match(loading.message, /space/);
	assertEmptyStore(dir, 'a load onto a full disk');
	await expectCode(engine.importImage(fixtures.rootfsTar, 'big'), 'NO_SPACE');
	assertEmptyStore(dir, 'an import onto a full disk');
});

test('skopeo missing is SKOPEO_MISSING with the apt command', async (t) => {
	const s = setup(t);
	if (!s) return;
	const saved = process.env['PATH'];
	process.env['PATH'] = '/nonexistent';
	try {
		const error = await expectCode(s.engine.pullImage('127.0.0.1:1/x:1'), 'SKOPEO_MISSING');
		assert.match(error.message, /apt-get install -y skopeo/);
	} finally {
		process.env['PATH'] = saved;
	}
	assertEmptyStore(s.dir, 'a pull without skopeo');
});
