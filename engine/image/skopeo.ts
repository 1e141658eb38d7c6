// The transport: skopeo, run without a shell, its failures turned into one short line.
import {spawn} from 'node:child_process';
import {C32Error, type C32ErrorCode} from '../errors.js';

/** How long a registry may take to answer a look-up (an inspect) before the pull gives up. */
export const LOOKUP_TIMEOUT = '30s';

const STDERR_KEEP = 64 * 1024;

export interface SkopeoOptions {
	/** What is being done, for messages: "pull of 127.0.0.1:5000/team/bot:1". */
	what: string;
	signal?: AbortSignal;
	env?: NodeJS.ProcessEnv;
}

/** Runs skopeo with `args` and resolves with its stdout; a failure is a one-line C32Error. */
export function runSkopeo(args: string[], options: SkopeoOptions): Promise<string> {
	return new Promise((resolve, reject) => {
		if (options.signal?.aborted) {
			reject(interrupted(options.what));
			return;
		}
		const child = spawn('skopeo', args, {stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env});
		const stdout: Buffer[] = [];
		let stderr = '';
		let aborted = false;
		const onAbort = () => {
			aborted = true;
			child.kill('SIGTERM');
			// skopeo ends on SIGTERM; this is for one that hangs in a system call.
			setTimeout(() => child.kill('SIGKILL'), 2000).unref();
		};
		options.signal?.addEventListener('abort', onAbort, {once: true});
		child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
		});
		child.on('error', (error: NodeJS.ErrnoException) => {
			options.signal?.removeEventListener('abort', onAbort);
			reject(
				error.code === 'ENOENT'
					? new C32Error('SKOPEO_MISSING', 'skopeo is not installed: install it with apt-get install -y skopeo')
					: new C32Error('TRANSPORT_FAILED', `${options.what} failed: cannot run skopeo: ${error.message}`),
			);
		});
		// 'close', not 'exit': skopeo has stopped writing only once its pipes are closed.
		child.on('close', (code) => {
			options.signal?.removeEventListener('abort', onAbort);
			if (aborted) reject(interrupted(options.what));
			else if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
			else {
				const {code: errorCode, reason} = explainFailure(stderr);
				reject(new C32Error(errorCode, `${options.what} failed: ${reason}`));
			}
		});
	});
}

function interrupted(what: string): C32Error {
	return new C32Error('TRANSPORT_FAILED', `${what} was interrupted: nothing was stored`);
}

/** The message of skopeo's last log line (`level=fatal msg="..."`), or its last line of text. */
export function skopeoMessage(stderr: string): string {
	const messages = [...stderr.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
	if (messages.length > 0) return messages.at(-1)!;
	const lines = stderr
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	return lines.at(-1) ?? 'skopeo failed without saying why';
}

const REASONS: {test: RegExp; code?: C32ErrorCode; reason: (message: string) => string}[] = [
	{
		test: /no space left on device|disk quota exceeded/i,
		code: 'NO_SPACE',
		reason: () => 'no space left on the storage device: free some space',
	},
	{
		test: /manifest unknown|name unknown|repository name not known/i,
		reason: () => 'no such image or tag in the registry (check the name and the tag)',
	},
	{
		test: /server gave HTTP response to HTTPS client/i,
		reason: () => 'the registry speaks plain http: use --tls-verify=false for a local registry',
	},
	{
		test: /x509|certificate/i,
		reason: () => 'the registry certificate is not trusted: use --tls-verify=false for a local registry, or trust its CA',
	},
	{test: /connection refused/i, reason: (m) => `${hostIn(m)}refused the connection: is the registry running?`},
	{test: /no such host|server misbehaving|Temporary failure in name resolution/i, reason: (m) => `${hostIn(m)}cannot be resolved`},
	{test: /network is unreachable|no route to host/i, reason: (m) => `${hostIn(m)}cannot be reached`},
	{test: /deadline exceeded|timeout|i\/o timeout/i, reason: (m) => `${hostIn(m)}did not answer in time`},
	{
		test: /unauthorized|authentication required|denied|401|403/i,
		reason: () => 'the registry refused access: log in (skopeo login, or --authfile) or check the name',
	},
	{test: /invalid policy|policy\.json/i, reason: () => 'skopeo has no usable trust policy (/etc/containers/policy.json): reinstall skopeo'},
];

/** The error code and a short reason for a skopeo failure; never skopeo's raw multi-line output. */
export function explainFailure(stderr: string): {code: C32ErrorCode; reason: string} {
	const message = skopeoMessage(stderr);
	for (const {test, code, reason} of REASONS) if (test.test(message)) return {code: code ?? 'TRANSPORT_FAILED', reason: reason(message)};
	// The last clause is the cause; the ones before it say where skopeo was.
	const cause = message.split(': ').at(-1)!.trim();
	return {code: 'TRANSPORT_FAILED', reason: cause.length > 200 ? `${cause.slice(0, 200)}…` : cause};
}

function hostIn(message: string): string {
	const host =
		/(?:dial tcp|lookup) ([^\s:]+(?::\d+)?)/.exec(message)?.[1] ?? /pinging container registry ([^\s:]+(?::\d+)?)/.exec(message)?.[1];
	return host ? `${host} ` : 'the registry ';
}
