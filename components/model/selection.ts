// Selection by container id, so it follows the container when the order changes.

export interface Selection {
	id: string | null;
	index: number;
}

/**
 * Finds the selected container in the current order. When it is gone (removed, filtered
 * out) the selection lands on whatever now stands where it was.
 */
export function resolveSelection(ids: readonly string[], selectedId: string | null, lastIndex: number): Selection {
	if (ids.length === 0) return {id: null, index: 0};
	const found = selectedId === null ? -1 : ids.indexOf(selectedId);
	if (found >= 0) return {id: selectedId, index: found};
	const index = Math.min(Math.max(lastIndex, 0), ids.length - 1);
	return {id: ids[index] ?? null, index};
}

export function moveSelection(ids: readonly string[], current: Selection, delta: number): Selection {
	if (ids.length === 0) return {id: null, index: 0};
	const index = Math.min(Math.max(current.index + delta, 0), ids.length - 1);
	return {id: ids[index] ?? null, index};
}

/** The first row to show so that `index` is inside a window of `height` rows. */
export function scrollOffset(index: number, offset: number, height: number, count: number): number {
	if (height <= 0 || count <= height) return 0;
	let next = offset;
	if (index < next) next = index;
	if (index >= next + height) next = index - height + 1;
	return Math.min(Math.max(next, 0), count - height);
}
