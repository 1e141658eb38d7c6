// Names on c32 networks (engine/network/names.ts) without containers: rosters and hosts files
// in a scratch runtime directory. What a change costs must not grow with the roster more than
// it has to, and every file must still be what a rewrite from the rosters gives.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type TestContext, test} from 'node:test';
import {addName, type NetworkName, removeName, rosterOf} from '../../engine/network/names.js';
import {hostsFile} from '../../engine/oci/etc-files.js';
import {containerPaths, type StorageLayout} from '../../engine/paths.js';

function scratch(t: TestContext): StorageLayout {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-names-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return {storageDir: dir, runtimeDir: path.join(dir, 'run')};
}

const idOf = (n: number) => n.toString(16).padStart(64, '0');

/** A container's hosts file as its bundle leaves it before it joins a network. */
function member(layout: StorageLayout, n: number, ip: string): NetworkName {
	const id = idOf(n);
	const etc = containerPaths(layout, id).etc;
	fs.mkdirSync(etc, {recursive: true});
	fs.writeFileSync(path.join(etc, 'hosts'), hostsFile({ip: '127.0.1.1', names: [`c${n}`]}, []));
	return {id, ip, names: [`c${n}`, `alias${n}`]};
}

const hostsOf = (layout: StorageLayout, id: string) => fs.readFileSync(path.join(containerPaths(layout, id).etc, 'hosts'), 'utf8');

/** What every member's file must hold: its own line, then everyone else on the network, sorted. */
function assertAgreesWithRoster(layout: StorageLayout, network: string): void {
	const members = rosterOf(layout, network);
	for (const m of members) {
		const peers = members.filter((p) => p.id !== m.id).map(({ip, names}) => ({ip, names}));
		assert.equal(hostsOf(layout, m.id), hostsFile({ip: m.ip, names: m.names}, peers), `hosts file of ${m.names[0]}`);
	}
}

/** Counts how often each container's hosts file is opened for writing, and with which flags. */
function watchHosts(t: TestContext): {opens: string[]; appends: number; truncatedToZero: number} {
	const seen = {opens: [] as string[], appends: 0, truncatedToZero: 0};
	const open = fs.openSync;
	t.mock.method(fs, 'openSync', (file: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
		if (String(file).endsWith('/etc/hosts') && typeof flags === 'number') {
			seen.opens.push(String(file));
			if (flags & fs.constants.O_APPEND) seen.appends++;
		}
		return open(file, flags as fs.OpenMode, mode);
	});
	const ftruncate = fs.ftruncateSync;
	t.mock.method(fs, 'ftruncateSync', (fd: number, len?: number) => {
		if (!len) seen.truncatedToZero++;
		return ftruncate(fd, len);
	});
	return seen;
}

test('a newcomer whose address sorts last is appended to its peers; one that does not rewrites them; the files are as rewritten', async (t) => {
	const layout = scratch(t);
	// 10.0.0.2 .. 10.0.0.7 in order, then 10.0.0.5 taken again by another after a removal, then a low one.
	for (let n = 2; n <= 7; n++) await addName(layout, 'net', member(layout, n, `10.0.0.${n}`));
	assertAgreesWithRoster(layout, 'net');
	const watched = watchHosts(t);
	await addName(layout, 'net', member(layout, 10, '10.0.0.10'));
	assert.equal(watched.appends, 6, 'each of the six peers gets one appended line');
	assert.equal(watched.opens.length, 7, "and the newcomer's own file is written whole");
	assertAgreesWithRoster(layout, 'net');
	await addName(layout, 'net', member(layout, 11, '10.0.0.1'));
	assert.equal(watched.appends, 6, 'an address sorting first rewrites the peers instead');
	assertAgreesWithRoster(layout, 'net');
	assert.equal(watched.truncatedToZero, 0, 'no hosts file is ever truncated to nothing');
});

test('a member joining a second network is appended only where that keeps the file sorted', async (t) => {
	const layout = scratch(t);
	const a = member(layout, 1, '10.0.0.2');
	const b = member(layout, 2, '10.0.0.3');
	await addName(layout, 'one', a);
	await addName(layout, 'one', b);
	await addName(layout, 'two', {...a, ip: '10.0.1.2'});
	await addName(layout, 'two', {...b, ip: '10.0.1.3'});
	const expected = (own: NetworkName, others: {ip: string; names: string[]}[]) => hostsFile({ip: own.ip, names: own.names}, others);
	assert.equal(
		hostsOf(layout, a.id),
		expected(a, [
			{ip: '10.0.1.2', names: a.names},
			{ip: b.ip, names: b.names},
			{ip: '10.0.1.3', names: b.names},
		]),
	);
	assert.equal(
		hostsOf(layout, b.id),
		expected(b, [
			{ip: '10.0.1.3', names: b.names},
			{ip: a.ip, names: a.names},
			{ip: '10.0.1.2', names: a.names},
		]),
	);
});

test('removals asked for together rewrite each remaining file once, not once per removal', async (t) => {
	const layout = scratch(t);
	const members = Array.from({length: 20}, (_, i) => member(layout, i + 1, `10.0.0.${i + 2}`));
	for (const m of members) await addName(layout, 'net', m);
	const watched = watchHosts(t);
	const leaving = members.slice(0, 10);
	await Promise.all(leaving.map((m) => removeName(layout, m.id)));
	assert.deepEqual(
		rosterOf(layout, 'net').map((m) => m.id),
		members.slice(10).map((m) => m.id),
	);
	assert.equal(watched.opens.length, 10, 'one pass: each of the ten who remain is written once');
	assertAgreesWithRoster(layout, 'net');
	// Asked for again, or for someone on no roster: nothing to do, no error.
	await Promise.all([removeName(layout, leaving[0]!.id), removeName(layout, idOf(999))]);
	assertAgreesWithRoster(layout, 'net');
});

test('a pass that did not finish (its marker left behind) makes the next change rewrite every file', async (t) => {
	const layout = scratch(t);
	for (let n = 2; n <= 5; n++) await addName(layout, 'net', member(layout, n, `10.0.0.${n}`));
	// A crash midway through a pass: one file missed the last change, and the marker stayed.
	const stale = idOf(3);
	fs.writeFileSync(path.join(containerPaths(layout, stale).etc, 'hosts'), 'stale\n');
	fs.writeFileSync(path.join(layout.runtimeDir, 'cni', 'names', 'pass-under-way'), '');
	await addName(layout, 'net', member(layout, 9, '10.0.0.9'));
	assertAgreesWithRoster(layout, 'net');
	assert.ok(!fs.existsSync(path.join(layout.runtimeDir, 'cni', 'names', 'pass-under-way')), 'the marker goes when the pass is done');
});

test('on the default network each member knows its own address and no one else; a start or removal writes only its own file', async (t) => {
	const layout = scratch(t);
	const members = [2, 3, 4, 5].map((n) => member(layout, n, `10.90.0.${n}`));
	for (const m of members) await addName(layout, 'c32', m);
	assert.deepEqual(
		rosterOf(layout, 'c32').map((m) => m.id),
		members.map((m) => m.id),
		'the roster still says who is on it (leases, prune, connect)',
	);
	for (const m of members) assert.equal(hostsOf(layout, m.id), hostsFile({ip: m.ip, names: m.names}, []), `hosts file of ${m.names[0]}`);
	const watched = watchHosts(t);
	await addName(layout, 'c32', member(layout, 9, '10.90.0.9'));
	assert.deepEqual(watched.opens, [path.join(containerPaths(layout, idOf(9)).etc, 'hosts')], "only the newcomer's own file");
	await removeName(layout, members[0]!.id);
	assert.equal(watched.opens.length, 1, 'a removal rewrites no peer');
	// On a user network too, it is known there by its peers, and its own line on c32 stays first.
	const peer = member(layout, 7, '10.0.5.7');
	const both = {...members[1]!, ip: '10.0.5.3'};
	await addName(layout, 'team', peer);
	await addName(layout, 'team', both);
	assert.match(hostsOf(layout, peer.id), /^10\.0\.5\.3\tc3 alias3$/m);
	assert.doesNotMatch(hostsOf(layout, peer.id), /10\.90\./, 'nothing of the default network reaches a peer on another');
	assert.doesNotMatch(hostsOf(layout, both.id), /10\.90\.0\.(4|5|9)/, 'its default-network neighbours stay unknown');
});
