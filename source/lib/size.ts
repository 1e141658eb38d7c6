// Sizes typed on the command line (512m, 1g, 1.5G) and sizes shown to people.
import {UsageError} from './errors.js';

const BINARY_UNITS: Record<string, number> = {
	b: 1,
	k: 1024,
	m: 1024 ** 2,
	g: 1024 ** 3,
	t: 1024 ** 4,
};

const SIZE_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*([bkmgt])?(?:i?b)?$/i;

/** Bytes in a size such as "4096", "512k", "10m", "1.5g" (binary units, as docker reads them). */
export function parseByteSize(text: string, what: string, defaultUnit: keyof typeof BINARY_UNITS = 'b'): number {
	const match = SIZE_PATTERN.exec(text.trim());
	if (!match) {
		throw new UsageError(`invalid ${what} "${text}": give a number with an optional unit, such as 512m or 1g`);
	}
	const unit = (match[2] ?? defaultUnit).toLowerCase();
	return Number(match[1]) * BINARY_UNITS[unit]!;
}

/** The seed's --memory-limit takes megabytes; docker's -m takes 512m or 1g. Both work. */
export function parseMemoryMb(text: string): number {
	const bytes = parseByteSize(text, 'memory limit', 'm');
	const mb = bytes / 1024 ** 2;
	return Math.round(mb * 1000) / 1000;
}

/** 1536 -> "1.5KiB": memory, as docker stats shows it. */
export function formatBinaryBytes(bytes: number): string {
	return formatWithUnits(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB']);
}

/** 1500 -> "1.5kB": I/O counters, as docker stats shows them. */
export function formatDecimalBytes(bytes: number): string {
	return formatWithUnits(bytes, 1000, ['B', 'kB', 'MB', 'GB', 'TB']);
}

function formatWithUnits(value: number, base: number, units: string[]): string {
	let index = 0;
	let scaled = Math.max(0, value);
	while (scaled >= base && index < units.length - 1) {
		scaled /= base;
		index++;
	}
	const digits = index === 0 || scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
	return `${trimZeros(scaled.toFixed(digits))}${units[index]}`;
}

function trimZeros(fixed: string): string {
	return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
