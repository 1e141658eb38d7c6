// Detach keys, as docker spells them: "ctrl-p,ctrl-q" (the default), "ctrl-a,d", "ctrl-@".
// Each key is one letter or symbol, or ctrl- with a letter or one of @ [ \ ] ^ _ (the
// control characters a terminal sends). Pure.
import {C32Error} from './errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** The bytes of a detach sequence; INVALID_CONFIG names what is wrong. */
export function parseDetachKeys(spec: string): Buffer {
	const bytes: number[] = [];
	for (const key of spec.split(',')) {
		const ctrl = /^ctrl-(.)$/i.exec(key);
		if (ctrl) {
			const code = ctrl[1]!.toLowerCase().charCodeAt(0);
			if (code >= 0x61 && code <= 0x7a) bytes.push(code - 0x60);
			else if (code >= 0x40 && code <= 0x5f) bytes.push(code - 0x40);
			else throw badKeys(spec);
		} else if (key.length === 1 && key.charCodeAt(0) > 0x20 && key.charCodeAt(0) < 0x7f) {
			bytes.push(key.charCodeAt(0));
		} else {
			throw badKeys(spec);
		}
	}
	return Buffer.from(bytes);
}

function badKeys(spec: string): C32Error {
	return new C32Error(
		'INVALID_CONFIG',
		`invalid detach keys ${JSON.stringify(spec)}: give keys such as ctrl-p,ctrl-q (a letter, a symbol, or ctrl- with a letter or @[\\]^_)`,
	);
}

/**
 * Watches the input for the detach sequence. Bytes that start the sequence are held back until
 * it completes (then they are dropped: the caller detaches) or breaks (then they pass on).
 */
export class DetachWatcher {
	private held = 0;

	constructor(private readonly keys: Buffer) {}

	/** What to pass on of `chunk`, and whether the sequence completed (what follows it is dropped). */
	feed(chunk: Buffer): {forward: Buffer; detach: boolean} {
		const out: number[] = [];
		for (const byte of chunk) {
			if (byte !== this.keys[this.held]) {
				for (let i = 0; i < this.held; i++) out.push(this.keys[i]!);
				this.held = 0;
			}
			if (byte === this.keys[this.held]) {
				this.held++;
				if (this.held === this.keys.length) return {forward: Buffer.from(out), detach: true};
			} else {
				out.push(byte);
			}
		}
		return {forward: Buffer.from(out), detach: false};
	}
}
