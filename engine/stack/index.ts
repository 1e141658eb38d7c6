// Stacks: compose files run as groups of containers (docs/stacks.md). loadStack is pure but
// for reading files; planStack and summarizeStacks are pure; the rest act through the Engine.
export {downStack, planStackOn, serviceOf, stackContainers, stopStack, type UpOptions, upStack} from './apply.js';
export {findStackFile, loadStack, parseStack, STACK_FILES, type StackReadOptions} from './compose.js';
export {containerName, definitionHash, planLines, planStack, summarizeStacks} from './plan.js';
export * from './types.js';
