// doctor's view of the network stack: which CNI plugins are where, the firewall tools, and
// the apt command for what is missing.
import assert from 'node:assert/strict';
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {findExecutable, installCommand} from '../../engine/host.js';
import {CNI_PLUGINS, detectNetworkStack, findCniPlugins, parseFirewallVersion} from '../../engine/host-network.js';
import {formatDoctor} from '../../source/commands/doctor.js';
import {palette} from '../../source/lib/color.js';
import {FakeEngine} from '../dashboard/fake-engine.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'c32-cni-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

function pluginDir(name: string, plugins: readonly string[], mode = 0o755): string {
	const dir = path.join(scratch, name);
	mkdirSync(dir);
	for (const plugin of plugins) {
		writeFileSync(path.join(dir, plugin), '#!/bin/sh\n');
		chmodSync(path.join(dir, plugin), mode);
	}
	return dir;
}

describe('the network stack doctor reports', () => {
	it('takes the first directory that has plugins, and names the ones it lacks', () => {
		const empty = pluginDir('empty', []);
		const partial = pluginDir('partial', ['bridge', 'host-local', 'loopback', 'macvlan']);
		const full = pluginDir('full', CNI_PLUGINS);
		assert.deepEqual(findCniPlugins([empty, partial, full]), {
			cniDir: partial,
			cniPlugins: ['bridge', 'host-local', 'loopback'],
			cniMissing: ['portmap', 'bandwidth', 'firewall'],
		});
		assert.deepEqual(findCniPlugins([path.join(scratch, 'absent'), full]).cniMissing, []);
		const unrunnable = pluginDir('unrunnable', CNI_PLUGINS, 0o644);
		assert.deepEqual(findCniPlugins([unrunnable]), {cniDir: null, cniPlugins: [], cniMissing: [...CNI_PLUGINS]});
	});

	it('reads the versions of iptables (with its flavour) and nft', () => {
		assert.equal(parseFirewallVersion('iptables v1.8.9 (nf_tables)\n'), '1.8.9 (nf_tables)');
		assert.equal(parseFirewallVersion('iptables v1.8.7 (legacy)\n'), '1.8.7 (legacy)');
		assert.equal(parseFirewallVersion('nftables v1.0.6 (Lester Gooch #5)\n'), '1.0.6');
		assert.equal(parseFirewallVersion('usage: iptables\n'), null);
	});

	it('says what to install: containernetworking-plugins for plugins, iptables for NAT and ports', async () => {
		const partial = path.join(scratch, 'partial');
		const none = await detectNetworkStack(() => null, installCommand, [path.join(scratch, 'empty')]);
		assert.deepEqual(none.network, {cniDir: null, cniPlugins: [], cniMissing: [...CNI_PLUGINS], iptables: null, nft: null});
		assert.deepEqual(none.problems, [
			'No CNI plugins found, so containers cannot have networks of their own (only host or none): apt-get install -y containernetworking-plugins',
			'iptables is not installed, so networks have no NAT and ports cannot be published: apt-get install -y iptables',
		]);
		const some = await detectNetworkStack(() => null, installCommand, [partial]);
		assert.match(some.problems[0]!, /^CNI plugins missing from .*partial: portmap, bandwidth, firewall, so containers/);
	});

	it("finds this host's plugins and iptables (the CI installs them)", async () => {
		const {network, problems} = await detectNetworkStack(findExecutable, installCommand);
		assert.equal(network.cniDir, '/usr/lib/cni');
		assert.deepEqual(network.cniMissing, []);
		assert.match(network.iptables?.version ?? '', /^\d+\.\d+/);
		assert.deepEqual(problems, []);
	});

	it('doctor shows the plugins, what is missing, and nft as optional', async () => {
		const report = await new FakeEngine().doctor();
		const plain = palette(false);
		assert.match(
			formatDoctor(report, plain),
			/^CNI plugins +bridge, host-local, portmap, bandwidth, firewall, loopback \(\/usr\/lib\/cni\)$/m,
		);
		assert.match(formatDoctor(report, plain), /^iptables +1\.8\.9 \(nf_tables\) \(\/usr\/sbin\/iptables\)$/m);
		report.network = {cniDir: '/usr/lib/cni', cniPlugins: ['bridge'], cniMissing: ['portmap'], iptables: null, nft: null};
		const text = formatDoctor(report, plain);
		assert.match(text, /^CNI plugins +bridge \(\/usr\/lib\/cni\)\n {2}missing +portmap$/m);
		assert.match(text, /^iptables +missing$/m);
		assert.match(text, /^nft +not installed \(optional/m);
		report.network.cniDir = null;
		assert.match(formatDoctor(report, plain), /^CNI plugins +missing$/m);
	});
});
