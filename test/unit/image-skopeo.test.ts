// skopeo's failures as one short line with a code: never its raw output.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {explainFailure, skopeoMessage} from '../../engine/image/skopeo.js';

const fatal = (msg: string) => `time="2026-01-01T00:00:00Z" level=fatal msg="${msg.replace(/"/g, '\\"')}"\n`;

test('the message of the fatal log line, unescaped', () => {
	assert.equal(skopeoMessage(`noise\n${fatal('a "quoted" thing')}`), 'a "quoted" thing');
	assert.equal(skopeoMessage('plain\nlast line\n'), 'last line');
});

test('registry failures become short reasons', () => {
	const cases: [string, RegExp, string?][] = [
		['reading manifest nope in 127.0.0.1:5999/team/a: manifest unknown: manifest unknown', /no such image or tag/],
		['reading manifest 1 in 127.0.0.1:5999/x: name unknown: repository name not known to registry', /no such image or tag/],
		[
			'pinging container registry 127.0.0.1:5998: Get "http://127.0.0.1:5998/v2/": dial tcp 127.0.0.1:5998: connect: connection refused',
			/^127\.0\.0\.1:5998 refused the connection/,
		],
		[
			'pinging container registry 127.0.0.1:5999: Get "https://127.0.0.1:5999/v2/": http: server gave HTTP response to HTTPS client',
			/--tls-verify=false/,
		],
		['Get "https://r.example/v2/": x509: certificate signed by unknown authority', /certificate is not trusted/],
		['dial tcp: lookup nowhere.invalid: no such host', /nowhere\.invalid cannot be resolved/],
		['reading blob sha256:x: unauthorized: authentication required', /refused access/],
		['writing blob: write /s/x: no space left on device', /no space/, 'NO_SPACE'],
		['something odd: the real cause', /^the real cause$/],
	];
	for (const [message, reason, code] of cases) {
		const explained = explainFailure(`${fatal(message)}`);
		assert.match(explained.reason, reason, message);
		assert.equal(explained.code, code ?? 'TRANSPORT_FAILED', message);
		assert.ok(!explained.reason.includes('\n'));
	}
});
