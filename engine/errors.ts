// One error type for everything a caller can cause; `code` is stable API.
import {escapeControl} from './text.js';

export type C32ErrorCode =
	| 'NOT_FOUND'
	| 'AMBIGUOUS_REF'
	| 'NAME_IN_USE'
	| 'INVALID_CONFIG'
	| 'IMAGE_NOT_FOUND'
	| 'IMAGE_INVALID'
	| 'IMAGE_IN_USE'
	| 'TRANSPORT_FAILED'
	| 'SKOPEO_MISSING'
	| 'LIMIT_EXCEEDS_HOST'
	| 'UNSUPPORTED'
	| 'RUNTIME_MISSING'
	| 'MONITOR_MISSING'
	| 'INIT_MISSING'
	| 'BAD_STATE'
	| 'START_FAILED'
	| 'RUNTIME_ERROR'
	| 'LOCK_TIMEOUT'
	| 'LOCK_BUSY'
	| 'PERMISSION_DENIED'
	| 'DAMAGED_RECORD'
	| 'NO_SPACE'
	| 'STATE_NOT_SAVED';

export class C32Error extends Error {
	override readonly name = 'C32Error';

	constructor(
		readonly code: C32ErrorCode,
		message: string,
	) {
		// One line, always: control characters from user input are shown escaped.
		super(escapeControl(message));
	}
}

export function isC32Error(error: unknown): error is C32Error {
	return error instanceof C32Error;
}
