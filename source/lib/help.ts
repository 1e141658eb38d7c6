/** A help text as printed: one blank line before and after, no trailing blanks. */
export function helpText(help: string): string {
	return `\n${help.replace(/^\n+|\s+$/g, '')}\n\n`;
}
