// Every key, once: the help overlay and docs/dashboard.md both list these.
import {COLUMNS} from './columns.js';

export interface HelpSection {
	title: string;
	keys: [string, string][];
}

// The sort keys, in groups that fit one help line each.
const SORT_GROUPS = [
	['name', 'image', 'id', 'state'],
	['cpu', 'mem', 'pids', 'io'],
	['uptime', 'restarts', 'health', 'isolation', 'ip'],
];

const sortKeys = SORT_GROUPS.map((group): [string, string] => {
	const columns = COLUMNS.filter((column) => group.includes(column.id));
	return [columns.map((column) => column.key).join(' '), columns.map((column) => column.label).join(' ')];
});

export const HELP: readonly HelpSection[] = [
	{
		title: 'Containers',
		keys: [
			['↑ ↓  k j', 'select (PgUp PgDn Home End)'],
			['Enter', 'details pane on/off'],
			['g', 'graphs on/off'],
			['s', 'start'],
			['x', 'stop'],
			['r', 'restart'],
			['p', 'pause / resume'],
			['d', 'remove (asks y/n first)'],
			['e', 'shell in it (asks the command)'],
			['/', 'filter: name, id, image…, stack:NAME'],
			['Esc', 'clear the filter'],
		],
	},
	{
		title: 'Sort',
		keys: [['< >', 'previous / next column'], ...sortKeys, ['same key', 'again: reverse the order']],
	},
	{
		title: 'Logs',
		keys: [
			['Tab', 'focus table / logs'],
			['l', 'logs full-screen on/off'],
			['↑ ↓  k j', 'scroll (PgUp PgDn)'],
			['g  G', 'oldest / newest + follow'],
			['f  Space', 'pause / resume following'],
			['/', 'search the log'],
			['n  N', 'next / previous match'],
			['a', 'all shown merged on/off'],
			['t', 'timestamps on/off'],
			['w', 'wrap long lines on/off'],
			['Esc', 'back to the table'],
		],
	},
	{
		title: 'General',
		keys: [
			['+ -', 'slower / faster refresh'],
			['CPU%', '100% = one full core'],
			['?', 'help (any key closes)'],
			['q  Ctrl-C', 'quit'],
		],
	},
];
