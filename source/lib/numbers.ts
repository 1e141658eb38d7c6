// Numbers typed on the command line. Only the form is checked here; whether a value makes
// sense for a container (zero, negative, more than the host has) is the engine's call.
import {UsageError} from './errors.js';

export function parseNumber(text: string, what: string): number {
	const trimmed = text.trim();
	if (!/^[-+]?(?:\d+(?:\.\d+)?|\.\d+)$/.test(trimmed)) throw new UsageError(`invalid ${what} "${text}": give a number`);
	return Number(trimmed);
}

export function parseInteger(text: string, what: string): number {
	const trimmed = text.trim();
	if (!/^[-+]?\d+$/.test(trimmed)) throw new UsageError(`invalid ${what} "${text}": give a whole number`);
	return Number(trimmed);
}

/** "150" or "150%" -> 150. */
export function parsePercent(text: string, what: string): number {
	return parseNumber(text.trim().replace(/%$/, ''), what);
}
