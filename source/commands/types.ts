import type {CommandSpec} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import type {AnyFlags} from '../lib/flags.js';
import type {SubcommandSet} from '../lib/subcommands.js';

export interface CommandModule {
	main(argv: string[], ctx: Context): Promise<number>;
	/** Its flags and help; absent for commands that borrow another's (list) or take none. */
	spec?: CommandSpec<AnyFlags>;
	/** For `c32 image` and `c32 system`: the subcommands it dispatches to. */
	subcommands?: SubcommandSet;
}
