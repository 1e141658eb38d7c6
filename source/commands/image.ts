import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'image',
	summary: 'Manage OCI images: the same commands as c32 images, pull, load, tag, rmi and save, and more.',
	subcommands: [
		{names: ['ls', 'list'], summary: 'List images (= c32 images)', load: () => import('./images.js')},
		{names: ['inspect'], summary: 'Everything about images, as JSON', load: () => import('./image-inspect.js')},
		{names: ['pull'], summary: 'Fetch an image from a registry (= c32 pull)', load: () => import('./pull.js')},
		{names: ['load'], summary: 'Store the images of an archive (= c32 load)', load: () => import('./load.js')},
		{names: ['import'], summary: 'An image from a tar of a root filesystem (= c32 import)', load: () => import('./import.js')},
		{names: ['tag'], summary: 'Give an image another name (= c32 tag)', load: () => import('./tag.js')},
		{names: ['save'], summary: 'Write an image to an archive (= c32 save)', load: () => import('./save.js')},
		{names: ['rm', 'remove'], summary: 'Remove images (= c32 rmi)', load: () => import('./rmi.js')},
		{names: ['prune'], summary: 'Remove untagged images no container uses', load: () => import('./image-prune.js')},
	],
	examples: ['c32 image ls', 'c32 image inspect localhost/tools:1', 'c32 image prune -f'],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
