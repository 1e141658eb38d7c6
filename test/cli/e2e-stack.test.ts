// c32 up / down on real containers: a web service with a published port and a health check,
// a worker that waits for it to be healthy and for a one-shot job to complete, on the stack's
// own network; a changed service is recreated alone; --scale makes replicas; down leaves nothing.
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {describe, test} from 'node:test';
import {needsNetworkStack} from '../helpers/network.js';
import {CLI_PATH, suiteSandbox} from './binary.js';

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer().listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
		server.on('error', reject);
	});
}

function composeFile(port: number, mode: string): string {
	return `name: e2estack
services:
  web:
    command: ["sh", "-c", "mkdir -p /tmp/w && echo hello > /tmp/w/index.html && exec busybox httpd -f -p 80 -h /tmp/w"]
    ports: ["127.0.0.1:${port}:80"]
    networks: [app]
    healthcheck:
      test: ["CMD", "busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:80/"]
      interval: 1s
      timeout: 2s
      retries: 5
  job:
    command: sh -c 'echo job done'
    networks: [app]
  worker:
    command: ["sh", "-c", "echo worker $$MODE; busybox wget -q -O - http://web/ ; exec sleep 1000"]
    environment: {MODE: ${mode}}
    networks: [app]
    depends_on:
      web: {condition: service_healthy}
      job: {condition: service_completed_successfully}
networks:
  app: {}
`.replaceAll('$$', '$');
}

interface Row {
	id: string;
	name: string;
	state: string;
	startedAt: string | null;
	finishedAt: string | null;
}

describe('c32 up and down', () => {
	const box = suiteSandbox();
	const dir = path.join(box.dir, 'project');
	fs.mkdirSync(dir);
	const file = path.join(dir, 'compose.yaml');
	const rows = async (): Promise<Map<string, Row>> => {
		const result = await box.run(['stack', 'ps', 'e2estack', '--json']);
		assert.equal(result.code, 0, result.stderr);
		return new Map((JSON.parse(result.stdout) as Row[]).map((r) => [r.name, r]));
	};

	test('comes up in order, recreates only what changed, scales, and down leaves nothing', async (t) => {
		if (!needsNetworkStack(t)) return;
		const port = await freePort();
		fs.writeFileSync(file, composeFile(port, 'one'));

		const dry = await box.run(['up', '--dry-run'], {cwd: dir});
		assert.equal(dry.code, 0, dry.stderr);
		assert.equal(dry.stdout, 'create e2estack-web-1\ncreate e2estack-job-1\ncreate e2estack-worker-1\n');
		assert.equal((await rows()).size, 0, 'a dry run creates nothing');

		const up = await box.run(['up', '-d'], {cwd: dir});
		assert.equal(up.code, 0, up.stderr);
		const first = await rows();
		const web = first.get('e2estack-web-1')!;
		const job = first.get('e2estack-job-1')!;
		const worker = first.get('e2estack-worker-1')!;
		assert.equal(web.state, 'running');
		assert.equal(job.state, 'exited');
		assert.equal(worker.state, 'running');
		// The worker started after the job had completed (and so after web was healthy).
		assert.ok(Date.parse(worker.startedAt!) >= Date.parse(job.finishedAt!), `${worker.startedAt} after ${job.finishedAt}`);
		assert.ok(Date.parse(job.finishedAt!) > Date.parse(web.startedAt!));
		const served = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
		assert.equal(served, 'hello\n');
		const logs = await box.run(['logs', '--stack', 'e2estack']);
		assert.match(logs.stdout, /e2estack-worker-1 \| worker one/);
		assert.match(logs.stdout, /e2estack-worker-1 \| hello/, 'the worker reaches web by its service name');

		const ls = await box.run(['stack', 'ls']);
		assert.match(ls.stdout, /e2estack\s+web,job,worker\s+2\/3/);

		fs.writeFileSync(file, composeFile(port, 'two'));
		const again = await box.run(['up', '-d'], {cwd: dir});
		assert.equal(again.code, 0, again.stderr);
		assert.equal(again.stdout, 'keep e2estack-web-1\nkeep e2estack-job-1\nrecreate e2estack-worker-1\n');
		const second = await rows();
		assert.deepEqual(second.get('e2estack-web-1'), {...second.get('e2estack-web-1')!, id: web.id, startedAt: web.startedAt});
		assert.equal(second.get('e2estack-job-1')!.id, job.id);
		assert.equal(second.get('e2estack-job-1')!.startedAt, job.startedAt);
		assert.notEqual(second.get('e2estack-worker-1')!.id, worker.id);

		const scaled = await box.run(['up', '-d', '--scale', 'worker=2'], {cwd: dir});
		assert.equal(scaled.code, 0, scaled.stderr);
		assert.match(scaled.stdout, /^create e2estack-worker-2$/m);
		assert.equal((await rows()).get('e2estack-worker-2')!.state, 'running');

		const hostLinks = () => execFileSync('ip', ['-o', 'link'], {encoding: 'utf8'});
		const network = JSON.parse((await box.run(['network', 'inspect', 'e2estack_app'])).stdout) as {bridge: string}[];
		const bridge = network[0]!.bridge;
		const down = await box.run(['down'], {cwd: dir});
		assert.equal(down.code, 0, down.stderr);
		assert.match(down.stdout, /remove network e2estack_app/);
		assert.equal((await rows()).size, 0);
		assert.equal((await box.run(['ps', '-aq'])).stdout, '');
		const networks = (await box.run(['network', 'ls'])).stdout;
		assert.doesNotMatch(networks, /e2estack/);
		assert.doesNotMatch(hostLinks(), new RegExp(`\\b${bridge}\\b`), 'its bridge and veths are gone');
	});

	test('bad input is refused with one line and creates nothing', async () => {
		fs.writeFileSync(file, 'services:\n  a:\n    command: sleep 1\n    depends_on: [ghost]\n');
		const result = await box.run(['up', '-d'], {cwd: dir});
		assert.equal(result.code, 1);
		assert.match(result.stderr, /^c32: error: compose\.yaml:4: services\.a\.depends_on: unknown service "ghost"/);
		assert.equal((await box.run(['ps', '-aq'])).stdout, '');
		assert.doesNotMatch((await box.run(['network', 'ls'])).stdout, /project_default/);
	});
});

describe('c32 up in the foreground', () => {
	const box = suiteSandbox();

	test('follows the merged logs; Ctrl-C stops the stack and keeps it; a failed job fails the up', async (t) => {
		if (!needsNetworkStack(t)) return;
		const dir = path.join(box.dir, 'fg');
		fs.mkdirSync(dir);
		fs.writeFileSync(
			path.join(dir, 'c32.yaml'),
			"name: fg\nservices:\n  ticker:\n    network_mode: none\n    command: sh -c 'while true; do echo tick; sleep 0.2; done'\n",
		);
		const child = box.spawn(['up'], {cwd: dir});
		let out = '';
		const ticked = new Promise<void>((resolve) =>
			child.stdout!.on('data', (chunk) => {
				out += chunk;
				if (/fg-ticker-1 \| tick/.test(out)) resolve();
			}),
		);
		child.stdin!.end();
		await ticked;
		assert.match(out, /^create fg-ticker-1$/m);
		child.kill('SIGINT');
		const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
		assert.equal(code, 0);
		const [ticker] = JSON.parse((await box.run(['stack', 'ps', 'fg', '--json'])).stdout) as {state: string}[];
		assert.equal(ticker!.state, 'stopped', 'stopped, not removed');
		const again = await box.run(['up', '-d'], {cwd: dir});
		assert.equal(again.stdout, 'start fg-ticker-1\n');

		fs.writeFileSync(
			path.join(dir, 'c32.yaml'),
			'name: fg\nservices:\n  job:\n    network_mode: none\n    command: sh -c "exit 3"\n  after:\n    network_mode: none\n    command: sleep 100\n    depends_on: {job: {condition: service_completed_successfully}}\n',
		);
		const failed = await box.run(['up', '-d'], {cwd: dir});
		assert.equal(failed.code, 1);
		assert.match(failed.stderr, /^c32: error: fg-job-1 exited with 3: after waits for job to complete successfully/m);
		const names = (JSON.parse((await box.run(['stack', 'ps', 'fg', '--json'])).stdout) as {name: string}[]).map((c) => c.name);
		assert.deepEqual(names, ['fg-job-1'], 'the old ticker removed, after never created');
		assert.equal((await box.run(['down'], {cwd: dir})).code, 0);
	});
});

describe("the README's Stacks block", () => {
	const box = suiteSandbox();

	test('runs as written from the root of a clone, and leaves nothing', async (t) => {
		if (!needsNetworkStack(t)) return;
		const root = path.resolve(path.dirname(CLI_PATH), '..', '..');
		const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
		const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('**Stacks**')))?.[1];
		assert.ok(block, 'the README has a Stacks sh block');
		const clone = path.join(box.dir, 'clone');
		fs.cpSync(path.join(root, 'examples'), path.join(clone, 'examples'), {recursive: true});
		const child = spawn('bash', ['-c', `set -e\nc32() { "${process.execPath}" "${CLI_PATH}" "$@"; }\n${block}`], {
			cwd: clone,
			env: box.env(),
		});
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.stderr.on('data', (chunk) => (out += chunk));
		const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
		assert.equal(code, 0, out);
		assert.match(out, /^demo\s+web,setup,worker\s+2\/3$/m);
		assert.match(out, /^create demo-worker-2$/m);
		assert.equal((await box.run(['ps', '-aq'])).stdout, '');
		assert.doesNotMatch((await box.run(['network', 'ls'])).stdout, /demo_app/);
	});
});
