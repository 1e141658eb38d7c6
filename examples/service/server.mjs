// A sample service: answers every HTTP request with the greeting in /data/greeting.txt
// (mount a volume there) and logs each request. PORT chooses the port (default 8080).
import fs from 'node:fs';
import http from 'node:http';

const port = Number(process.env.PORT ?? 8080);

function greeting() {
	try {
		return fs.readFileSync('/data/greeting.txt', 'utf8');
	} catch {
		return 'hello (no /data/greeting.txt mounted)\n';
	}
}

const server = http.createServer((request, response) => {
	console.log(`${request.method} ${request.url}`);
	response.writeHead(200, {'content-type': 'text/plain'});
	response.end(greeting());
});
server.listen(port, () => console.log(`listening on port ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
