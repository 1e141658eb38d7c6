import type {Context} from '../lib/context.js';
import {main as ps} from './ps.js';

export {spec} from './ps.js';

/** The seed's `list`: every container, as `ps -a`. */
export function main(argv: string[], ctx: Context): Promise<number> {
	return ps(argv, ctx, true);
}
