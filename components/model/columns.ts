// The table's columns and how they shrink to fit the terminal's width.

export type ColumnId =
	| 'name'
	| 'image'
	| 'id'
	| 'state'
	| 'cpu'
	| 'mem'
	| 'pids'
	| 'io'
	| 'uptime'
	| 'restarts'
	| 'health'
	| 'isolation'
	| 'ip';

export interface ColumnSpec {
	id: ColumnId;
	title: string;
	/** What the column is called in the help. */
	label: string;
	/** The key that sorts by this column. */
	key: string;
	align: 'left' | 'right';
	/** Whether sorting this column starts descending (biggest first). */
	descendingFirst: boolean;
}

export const COLUMNS: readonly ColumnSpec[] = [
	{id: 'name', title: 'NAME', label: 'name', key: 'N', align: 'left', descendingFirst: false},
	{id: 'image', title: 'IMAGE', label: 'image', key: 'E', align: 'left', descendingFirst: false},
	{id: 'id', title: 'ID', label: 'id', key: 'I', align: 'left', descendingFirst: false},
	{id: 'state', title: 'STATE', label: 'state', key: 'S', align: 'left', descendingFirst: false},
	{id: 'cpu', title: 'CPU%', label: 'cpu', key: 'C', align: 'left', descendingFirst: true},
	{id: 'mem', title: 'MEM', label: 'mem', key: 'M', align: 'left', descendingFirst: true},
	{id: 'pids', title: 'PIDS', label: 'pids', key: 'P', align: 'right', descendingFirst: true},
	{id: 'io', title: 'BLK R/W', label: 'i/o', key: 'B', align: 'right', descendingFirst: true},
	{id: 'uptime', title: 'UP / EXITED', label: 'uptime', key: 'U', align: 'left', descendingFirst: true},
	{id: 'restarts', title: 'RST', label: 'restarts', key: 'R', align: 'right', descendingFirst: true},
	{id: 'health', title: 'HEALTH', label: 'health', key: 'H', align: 'left', descendingFirst: true},
	{id: 'isolation', title: 'ISOLATION', label: 'isolation', key: 'T', align: 'left', descendingFirst: false},
	{id: 'ip', title: 'IP', label: 'ip address', key: 'A', align: 'left', descendingFirst: false},
];

export const COLUMN_IDS: readonly ColumnId[] = COLUMNS.map((column) => column.id);

export function columnSpec(id: ColumnId): ColumnSpec {
	const spec = COLUMNS.find((column) => column.id === id);
	if (!spec) throw new Error(`unknown column ${id}`);
	return spec;
}

export function columnForKey(key: string): ColumnId | null {
	return COLUMNS.find((column) => column.key === key)?.id ?? null;
}

export function isColumnId(value: unknown): value is ColumnId {
	return typeof value === 'string' && (COLUMN_IDS as readonly string[]).includes(value);
}

/** Width of the value part of the CPU and memory cells, before their bars. */
export const CPU_VALUE_WIDTH = 5;
export const MEM_VALUE_WIDTH = 9;
/** "▶ " in front of every row. */
export const MARKER_WIDTH = 2;
const NAME_MIN = 14;
const NAME_MAX = 32;
const BAR_MAX = 16;

const FIXED: Record<Exclude<ColumnId, 'name' | 'cpu' | 'mem'>, number> = {
	image: 26,
	id: 12,
	state: 9,
	// "unhealthy"
	health: 9,
	pids: 5,
	io: 9,
	uptime: 13,
	restarts: 3,
	isolation: 9,
	// "255.255.255.255"
	ip: 15,
};

export interface TableLayout {
	columns: {id: ColumnId; width: number}[];
	/** Cells of the inline bars in the CPU and memory columns; 0 = no bars. */
	barWidth: number;
	/** Total width of a row including the marker. */
	width: number;
}

// Applied in order until the table fits: the least useful columns go first, bars shrink
// before the columns people watch most disappear.
const DEGRADE: ({drop: ColumnId} | {bars: number} | {nameMin: number})[] = [
	{drop: 'ip'},
	{drop: 'id'},
	{drop: 'image'},
	{drop: 'isolation'},
	{drop: 'health'},
	{bars: 8},
	{drop: 'restarts'},
	{drop: 'io'},
	{bars: 6},
	{drop: 'pids'},
	{bars: 4},
	{drop: 'uptime'},
	{bars: 0},
	{nameMin: 8},
];

function columnWidth(id: ColumnId, bars: number): number {
	if (id === 'cpu') return CPU_VALUE_WIDTH + (bars > 0 ? bars + 1 : 0);
	if (id === 'mem') return MEM_VALUE_WIDTH + (bars > 0 ? bars + 1 : 0);
	if (id === 'name') return 0;
	return FIXED[id];
}

/**
 * Chooses columns and widths for a terminal `width` cells wide. The `keep` column (the one
 * the table is sorted by) is dropped last, so what the rows are ordered by stays in view.
 * `withHealth`: some container has a health check, so the HEALTH column is wanted.
 */
export function fitColumns(width: number, keep: ColumnId = 'name', withHealth = false): TableLayout {
	// HEALTH takes room only when some container has a health check.
	let ids = COLUMN_IDS.filter((id) => withHealth || id !== 'health');
	let bars = 10;
	let nameMin = NAME_MIN;
	const fixedWidth = () => MARKER_WIDTH + ids.reduce((sum, id) => sum + columnWidth(id, bars), 0) + (ids.length - 1);
	// The kept column's own step moves to the end: dropped only when nothing else fits.
	const isKeepDrop = (step: (typeof DEGRADE)[number]) => 'drop' in step && step.drop === keep;
	const steps = [...DEGRADE.filter((step) => !isKeepDrop(step)), ...DEGRADE.filter(isKeepDrop)];
	for (const step of [{bars: 10}, ...steps]) {
		if ('drop' in step) ids = ids.filter((id) => id !== step.drop);
		else if ('bars' in step) bars = step.bars;
		else nameMin = step.nameMin;
		if (fixedWidth() + nameMin <= width) break;
	}
	let spare = Math.max(0, width - fixedWidth() - nameMin);
	const nameWidth = nameMin + Math.min(spare, NAME_MAX - nameMin);
	spare -= nameWidth - nameMin;
	// Wide terminals: longer bars read better than blank space at the end of the row.
	if (bars > 0 && spare > 0) {
		const grow = Math.min(BAR_MAX - bars, Math.floor(spare / 2));
		bars += grow;
	}
	const columns = ids.map((id) => ({id, width: id === 'name' ? nameWidth : columnWidth(id, bars)}));
	const total = MARKER_WIDTH + columns.reduce((sum, column) => sum + column.width, 0) + (columns.length - 1);
	return {columns, barWidth: bars, width: total};
}
