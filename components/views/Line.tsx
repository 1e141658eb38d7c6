// One terminal row of styled segments: a single Ink text node, so layout stays cheap.
import {memo} from 'react';
import {Text} from 'ink';
import type {Segment} from '../model/segments.js';
import {segmentStyle, useTheme} from './theme.js';

export const Line = memo(function Line({segments}: {segments: readonly Segment[]}) {
	const theme = useTheme();
	if (segments.length === 0) return <Text> </Text>;
	return (
		<Text wrap="truncate-end">
			{segments.map((segment, index) => {
				const style = segmentStyle(segment, theme);
				return Object.keys(style).length === 0 ? (
					segment.text
				) : (
					<Text key={index} {...style}>
						{segment.text}
					</Text>
				);
			})}
		</Text>
	);
});
