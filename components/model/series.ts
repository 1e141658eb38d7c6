// A fixed-size ring of samples for the graphs.

export class Series {
	private readonly data: Float64Array;
	private next = 0;
	private count = 0;

	constructor(readonly capacity: number) {
		this.data = new Float64Array(capacity);
	}

	push(value: number): void {
		this.data[this.next] = value;
		this.next = (this.next + 1) % this.capacity;
		if (this.count < this.capacity) this.count++;
	}

	get length(): number {
		return this.count;
	}

	/** The newest `n` samples (all when omitted), oldest first. */
	last(n = this.count): number[] {
		const take = Math.min(n, this.count);
		const out = new Array<number>(take);
		const first = (this.next - take + this.capacity) % this.capacity;
		for (let i = 0; i < take; i++) out[i] = this.data[(first + i) % this.capacity]!;
		return out;
	}

	latest(): number | null {
		if (this.count === 0) return null;
		return this.data[(this.next - 1 + this.capacity) % this.capacity]!;
	}
}
