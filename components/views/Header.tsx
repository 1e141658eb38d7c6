import {memo} from 'react';
import {Box} from 'ink';
import {headerLines, type HeaderInput} from '../model/header.js';
import {Line} from './Line.js';

export const Header = memo(function Header({input, lines}: {input: HeaderInput; lines: number}) {
	return (
		<Box flexDirection="column" height={lines}>
			{headerLines(input, lines).map((segments, index) => (
				<Line key={index} segments={segments} />
			))}
		</Box>
	);
});
