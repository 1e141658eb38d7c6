// The public API of the c32 engine.
export type {Engine, StopOptions, RemoveOptions, HostStats} from './api.js';
export * from './types.js';
export {C32Error, isC32Error, type C32ErrorCode} from './errors.js';
