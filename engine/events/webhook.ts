// POSTing an event to a webhook: the event as JSON, each attempt bounded by the webhook's
// timeout, up to three attempts with a growing pause between them. A 4xx other than 408 and
// 429 is the receiver saying no: not retried. Resolves with null once delivered, else why not.
import {setTimeout as sleep} from 'node:timers/promises';
import type {Webhook} from './hook-config.js';
import type {C32Event} from './types.js';

export const WEBHOOK_ATTEMPTS = 3;
const PAUSE_MS = [1000, 3000];

export async function postWebhook(
	webhook: Pick<Webhook, 'url' | 'timeoutMs'>,
	event: C32Event,
	attempts = WEBHOOK_ATTEMPTS,
): Promise<string | null> {
	let reason = '';
	for (let attempt = 0; attempt < attempts; attempt++) {
		if (attempt > 0) await sleep(PAUSE_MS[attempt - 1] ?? 3000);
		try {
			const response = await fetch(webhook.url, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'user-agent': 'c32'},
				body: JSON.stringify(event),
				signal: AbortSignal.timeout(webhook.timeoutMs),
				redirect: 'error',
			});
			await response.body?.cancel().catch(() => {});
			if (response.ok) return null;
			reason = `HTTP ${response.status}`;
			if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
		} catch (error) {
			const name = (error as Error).name;
			reason = name === 'TimeoutError' ? `no answer within ${webhook.timeoutMs} ms` : describe(error);
		}
	}
	return `not delivered: ${reason}`;
}

function describe(error: unknown): string {
	const cause = (error as {cause?: {code?: string; message?: string}}).cause;
	return cause?.code ?? cause?.message ?? (error as Error).message;
}
