// Subscribes a component to one of the dashboard's plain stores.
import {useSyncExternalStore} from 'react';

export interface ExternalStore<T> {
	subscribe(listener: () => void): () => void;
	getSnapshot(): T;
}

export function useExternal<T>(store: ExternalStore<T>): T {
	return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
