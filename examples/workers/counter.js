// A sample Node worker: counts, and allocates a little memory every tick so graphs move.
const chunks = [];
let n = 0;
setInterval(() => {
	n += 1;
	chunks.push(Buffer.alloc(256 * 1024, n));
	if (chunks.length > 40) chunks.shift();
	console.log(`count ${n}, holding ${chunks.length * 256} KiB`);
}, 500);
process.on('SIGTERM', () => {
	console.log(`stopping at ${n}`);
	process.exit(0);
});
