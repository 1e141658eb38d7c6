// CPU and memory plots of the selected container, from the store's history.

import {Box} from 'ink';
import {memo} from 'react';
import {graphPanel} from '../model/graphs.js';
import type {History} from '../store/dashboard-store.js';
import {Pane} from './Pane.js';

export interface GraphsProps {
	history: History | undefined;
	cpuLimit: number | null;
	memLimit: number | null;
	width: number;
	rows: number;
	intervalMs: number;
	/** Changes every tick, so the memoised pane redraws when new samples arrive. */
	version: number;
}

export const Graphs = memo(function Graphs({history, cpuLimit, memLimit, width, rows, intervalMs}: GraphsProps) {
	const samples = (series: History['cpu'] | undefined) => series?.last(Math.max(1, width - 6) * 2) ?? [];
	const cpu = graphPanel({kind: 'cpu', samples: samples(history?.cpu), limit: cpuLimit, width, rows, intervalMs});
	const mem = graphPanel({kind: 'mem', samples: samples(history?.mem), limit: memLimit, width, rows, intervalMs});
	return (
		<Box flexDirection="column" height={2 * (rows + 1)}>
			<Pane title={cpu[0]!} lines={cpu.slice(1)} height={rows + 1} />
			<Pane title={mem[0]!} lines={mem.slice(1)} height={rows + 1} />
		</Box>
	);
});
