// How the screen's rows are shared between the panes. The frame is exactly as tall as the
// terminal (the screen writer places rows absolutely, so nothing scrolls) and never taller.

export interface LayoutInput {
	columns: number;
	rows: number;
	containerCount: number;
	showGraphs: boolean;
	showDetails: boolean;
	logFullscreen: boolean;
}

export interface Layout {
	tooSmall: boolean;
	width: number;
	/** Rows of the whole frame. */
	height: number;
	headerLines: number;
	/** Container rows, not counting the column titles. */
	tableRows: number;
	/** Lines of the details pane including its title; 0 = hidden. */
	detailsLines: number;
	/** Plot rows of each of the two graphs (each also has a title line); 0 = no graphs. */
	graphRows: number;
	/** Log rows, not counting the pane's title line; 0 = no log pane. */
	logRows: number;
}

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;
export const DETAILS_LINES = 7;
const LOG_MIN = 4;
const GRAPH_MIN_ROWS = 2;
const GRAPH_MAX_ROWS = 6;
const GRAPH_MIN_COLUMNS = 50;

export function computeLayout(input: LayoutInput): Layout {
	const width = Math.max(0, input.columns);
	const height = Math.max(0, input.rows);
	const none = {headerLines: 0, tableRows: 0, detailsLines: 0, graphRows: 0, logRows: 0};
	if (input.columns < MIN_COLUMNS || input.rows < MIN_ROWS) return {tooSmall: true, width, height, ...none};

	const status = 1;
	if (input.logFullscreen) {
		return {tooSmall: false, width, height, ...none, headerLines: 1, logRows: height - 1 - status - 1};
	}

	const headerLines = height >= 16 ? 2 : 1;
	const avail = height - headerLines - status;
	const count = Math.max(input.containerCount, 1);
	const tableRows = Math.min(count, Math.max(3, Math.floor(avail * 0.4)));
	let rest = avail - 1 - tableRows;

	const logReserve = rest >= LOG_MIN ? LOG_MIN : 0;
	let detailsLines = 0;
	if (input.showDetails && rest - logReserve >= DETAILS_LINES) {
		detailsLines = DETAILS_LINES;
		rest -= detailsLines;
	}
	let graphRows = 0;
	const share = rest - logReserve;
	if (input.showGraphs && width >= GRAPH_MIN_COLUMNS && share >= 2 * (GRAPH_MIN_ROWS + 1)) {
		// Graphs take about half of what the log pane can spare.
		graphRows = Math.min(GRAPH_MAX_ROWS, Math.max(GRAPH_MIN_ROWS, Math.floor(share / 4) - 1));
		rest -= 2 * (graphRows + 1);
	}
	if (logReserve === 0) {
		// No room for logs: give what is left to the table when it has rows to show.
		const extra = Math.max(0, Math.min(rest, count - tableRows));
		return {tooSmall: false, width, height, headerLines, tableRows: tableRows + extra, detailsLines, graphRows, logRows: 0};
	}
	return {tooSmall: false, width, height, headerLines, tableRows, detailsLines, graphRows, logRows: rest - 1};
}
