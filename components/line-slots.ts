// Ink turns every character of a frame into a styled-cell object (grapheme segmentation,
// about 1.5 µs a character: most of what a frame costs). In a terminal, each Line hands Ink
// a one-character slot instead of its finished text, so Ink lays out and assembles a frame
// of slots; `fill` puts the lines into their slots before the frame reaches the screen
// writer. Without slots (ink-testing-library) a Line hands Ink its text, as before.

// Private-use characters: no text reaches Ink's frame in a slot's place (every screen row of
// the dashboard is a Line), and a slot is a row of exactly one of them.
const FIRST = 0xe000;
const LAST = 0xf8ff;

export class LineSlots {
	private texts: string[] = [];

	/** Called by each Line while Ink builds a frame: the slot that stands for `text`. */
	put(text: string): string {
		if (this.texts.length > LAST - FIRST) return text;
		this.texts.push(text);
		return String.fromCharCode(FIRST + this.texts.length - 1);
	}

	/** The frame Ink built, each slot replaced by its line; the next frame's slots start afresh. */
	fill(frame: string): string {
		const texts = this.texts;
		this.texts = [];
		if (texts.length === 0) return frame;
		return frame
			.split('\n')
			.map((row) => {
				if (row.length !== 1) return row;
				const index = row.charCodeAt(0) - FIRST;
				return index >= 0 && index < texts.length ? texts[index]! : row;
			})
			.join('\n');
	}
}
