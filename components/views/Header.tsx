import {Box} from 'ink';
import {memo} from 'react';
import {type HeaderInput, headerLines} from '../model/header.js';
import {Line} from './Line.js';

export const Header = memo(function Header({input, lines}: {input: HeaderInput; lines: number}) {
	return (
		<Box flexDirection="column" height={lines}>
			{headerLines(input, lines).map((segments, index) => (
				// biome-ignore lint/suspicious/noArrayIndexKey: each element is a screen line: its position is its identity
				<Line key={index} segments={segments} />
			))}
		</Box>
	);
});
