import {STACK_LABEL} from '../../engine/stack/types.js';
import type {Context} from '../lib/context.js';
import {main as ps} from './ps.js';

export {spec} from './ps.js';

/** `c32 stack ps [NAME] [ps options]`: c32 ps -a of the containers labelled with the stack. */
export function main(argv: string[], ctx: Context): Promise<number> {
	const name = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
	const rest = name === undefined ? argv : argv.slice(1);
	return ps(['-a', '--filter', name === undefined ? `label=${STACK_LABEL}` : `label=${STACK_LABEL}=${name}`, ...rest], ctx);
}
