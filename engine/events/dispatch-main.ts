// The hook runner: started detached by whichever process recorded an event that has hooks or
// webhooks (dispatch.ts), it runs them all at once and exits. Nobody waits for it or reads
// its output, so every failure goes to the bounded hooks log under the storage root.
import {debugLogAt} from '../debug-log.js';
import {type DispatchPayload, hooksLogFile, PAYLOAD_VARIABLE} from './dispatch.js';
import {runHook} from './run-hook.js';
import {postWebhook} from './webhook.js';

const text = process.env[PAYLOAD_VARIABLE];
delete process.env[PAYLOAD_VARIABLE];
if (text === undefined) {
	process.stderr.write(`usage: ${PAYLOAD_VARIABLE}=<json> node dispatch-main.js (started by c32 for an event)\n`);
	process.exit(2);
}
const payload = JSON.parse(text) as DispatchPayload;
const log = debugLogAt(hooksLogFile({storageDir: payload.storageDir, runtimeDir: ''}));
const {event} = payload;
const what = `${event.event} of ${event.name ?? event.id.slice(0, 12)}`;

// Not top-level await: the bundle is CommonJS (its code cache needs it).
void Promise.all([
	...payload.hooks.map(async (hook) => {
		const outcome = await runHook(hook, event, payload.storageDir);
		if (outcome !== null) log(`${hook.source} hook ${JSON.stringify(hook.command)} for ${what}`, outcome);
	}),
	...payload.webhooks.map(async (webhook) => {
		const outcome = await postWebhook(webhook, event);
		if (outcome !== null) log(`webhook ${webhook.id} for ${what}`, outcome);
	}),
]);
