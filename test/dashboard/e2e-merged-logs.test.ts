// The merged log of `c32 top` end to end: the built binary in tmux against two real
// containers; `a` shows both logs with name prefixes, `t` and `w` change the pane.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {C32Sandbox, CLI_PATH} from '../cli/binary.js';
import {hasTmux, quote, TmuxServer} from '../cli/tmux.js';
import {needsRuntime} from '../helpers/engine.js';

describe('c32 top: the merged log of real containers', () => {
	const box = new C32Sandbox();
	const tmux = new TmuxServer();
	after(async () => {
		tmux.kill();
		await box.dispose();
	});

	it('a merges both logs with their names; t toggles timestamps; w wraps; q quits with 0', async (t) => {
		if (!needsRuntime(t)) return;
		if (!hasTmux()) {
			if (process.env['CI']) assert.fail('tmux is needed for the dashboard end-to-end test (apt-get install tmux)');
			t.skip('tmux is not installed');
			return;
		}
		const ticker = (word: string, extra = '') => `i=0; while :; do i=$((i+1)); echo "${word} $i${extra}"; sleep 0.3; done`;
		for (const [name, script] of [
			['e2e-alpha', ticker('alpha')],
			['e2e-beta', ticker('beta', ` ${'wide '.repeat(20)}end-of-beta`)],
		] as const) {
			const result = await box.run(['run', '-d', '--name', name, '--', 'sh', '-c', script]);
			assert.equal(result.code, 0, result.stderr);
		}
		const configDir = fs.mkdtempSync(path.join(box.dir, 'config-'));
		const vars = Object.entries({C32_STORAGE_DIR: box.dir, C32_CONFIG_DIR: configDir, TERM: 'xterm-256color'});
		const command = ['env', ...vars.map(([k, v]) => `${k}=${quote(v)}`), quote(process.execPath), quote(CLI_PATH), 'top'];
		const pane = tmux.open('merged', command.join(' '), {columns: 100, rows: 30});

		// Which container is selected first depends on their CPU use (the default sort).
		await tmux.waitFor(pane, /Logs e2e-(alpha|beta)/, 20_000);
		tmux.keys(pane, 'a');
		let text = await tmux.waitFor(
			pane,
			/Logs 2 containers[\s\S]*e2e-alpha │ \d\d:\d\d:\d\d alpha \d+[\s\S]*e2e-beta {2}│ \d\d:\d\d:\d\d beta \d+/,
			20_000,
		);
		await tmux.waitFor(pane, /e2e-beta {2}│ \d\d:\d\d:\d\d beta \d+[\s\S]*e2e-alpha │ \d\d:\d\d:\d\d alpha \d+/, 20_000);
		assert.doesNotMatch(text, /end-of-beta/, 'long lines are cut');

		tmux.keys(pane, 'Tab', 't');
		await tmux.waitFor(pane, /e2e-alpha │ alpha \d+/);
		tmux.keys(pane, 'w');
		text = await tmux.waitFor(pane, /wrap[\s\S]* {13}\S*\s*(wide )*end-of-beta/);
		for (const line of text.split('\n')) assert.ok(line.length <= 100, `"${line}" fits 100 columns`);

		tmux.keys(pane, 'q');
		assert.equal(await tmux.exitStatus(pane), 0);
	});
});
