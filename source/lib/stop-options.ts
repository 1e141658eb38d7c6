import type {StopOptions} from '../../engine/index.js';
import {parseSecondsOrDuration} from './duration.js';

/** `-t 5` / `--time 500ms` -> the engine's timeout in seconds; absent -> the container's own. */
export function stopOptions(time: string | undefined): StopOptions {
	return time === undefined ? {} : {timeout: parseSecondsOrDuration(time, '--time') / 1000};
}
