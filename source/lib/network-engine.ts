// The engine with its network methods. They are part of issue 11's engine work; until that
// is merged into Engine, the CLI names them here, in one place (docs: engine/api.ts NetworkCommands).
import type {Engine, NetworkCommands} from '../../engine/index.js';
import type {Context} from './context.js';

export type NetworkEngine = Engine & NetworkCommands;

export async function networkEngine(ctx: Context): Promise<NetworkEngine> {
	return (await ctx.engine()) as NetworkEngine;
}
