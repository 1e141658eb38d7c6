// Node builtins that most commands never use, loaded on first use: `c32 ps` does not pay
// for child_process (with net and dgram) or the terminal module.
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);

export const childProcess = (): typeof import('node:child_process') => require('node:child_process');
export const tty = (): typeof import('node:tty') => require('node:tty');
