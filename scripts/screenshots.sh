#!/usr/bin/env bash
# Regenerates screenshots/*.png from a real `c32 top` session: real containers in a
# temporary storage root, the built CLI in tmux, keys sent with send-keys, each screen read
# back with capture-pane -e, laid out cell by cell as HTML and photographed by headless
# Chromium. Needs root (containers), runc and conmon, tmux, chromium and fonts-dejavu-core;
# as root it installs what is missing with apt-get.
#   scripts/screenshots.sh            (from the repository root; builds first)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/screenshots
COLS=${COLS:-120}
ROWS=${ROWS:-36}

need=()
command -v tmux >/dev/null || need+=(tmux)
command -v chromium >/dev/null || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
	else
		echo "screenshots.sh: install ${need[*]} first (apt-get install ${need[*]})" >&2
		exit 1
	fi
fi

[ "${SKIP_BUILD:-}" = 1 ] || npm run build --silent
mkdir -p "$OUT"

WORK=$(mktemp -d /tmp/c32-screenshots.XXXXXX)
# Strict containers run as a mapped uid that must be able to reach the storage root.
chmod 755 "$WORK"
SOCKET=c32-screenshots-$$
export C32_STORAGE_DIR=$WORK/storage C32_CONFIG_DIR=$WORK/config
C32=(node "$ROOT/dist/bundle/c32.cjs")
cleanup() {
	tmux -L "$SOCKET" kill-server 2>/dev/null || true
	ids=$("${C32[@]}" ps -aq --no-trunc 2>/dev/null || true)
	[ -z "$ids" ] || "${C32[@]}" rm -f $ids >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/images" "$C32_CONFIG_DIR"

# A few workers that look like the real thing: a web service, a CPU-bound job near its
# limit, a queue consumer, one that fails, one that runs out of memory, a strict sleeper.
cat >"$WORK/images/web.py" <<'EOF'
import random, sys, time
paths = ["/orders", "/orders/42", "/health", "/users/7", "/cart", "/search?q=lamp"]
n = 0
while True:
    n += 1
    spin = time.time() + random.uniform(0.01, 0.06)
    while time.time() < spin:
        pass
    status = random.choice([200] * 12 + [201, 404, 500])
    print(f"GET {random.choice(paths)} {status} {random.randint(2, 90)}ms", flush=True)
    if status == 500 or n % 17 == 0:
        print(f"WARN upstream timeout after {random.randint(2, 9)}s (request {n})", file=sys.stderr, flush=True)
    time.sleep(random.uniform(0.05, 0.2))
EOF
cat >"$WORK/images/cruncher.py" <<'EOF'
import math, time
blocks, n = [], 0
while True:
    n += 1
    load = 0.55 + 0.4 * math.sin(n / 40)
    start = time.time()
    while time.time() - start < load * 0.2:
        pass
    time.sleep((1 - load) * 0.2)
    if len(blocks) < 90 and n % 4 == 0:
        blocks.append(bytearray(1024 * 1024))
    if n % 25 == 0:
        print(f"batch {n // 25}: {len(blocks)} MiB in memory, load {load:.2f}", flush=True)
EOF
cat >"$WORK/images/queue.sh" <<'EOF'
i=0
while true; do
	i=$((i + 1))
	echo "job $i picked up"
	sleep 0.7
	echo "job $i done"
done
EOF
cat >"$WORK/images/reporter.py" <<'EOF'
import sys
print("building the weekly report")
print("error: cannot reach the database at db:5432", file=sys.stderr)
sys.exit(1)
EOF
cat >"$WORK/images/hog.py" <<'EOF'
import time
blocks = []
while True:
    blocks.append(bytearray(4 * 1024 * 1024))
    print(f"holding {len(blocks) * 4} MiB", flush=True)
    time.sleep(0.05)
EOF

"${C32[@]}" run -d --name web --cpu-limit 50 -m 128m -l team=shop "$WORK/images/web.py" >/dev/null
"${C32[@]}" run -d --name cruncher --cpu-limit 100 -m 256m "$WORK/images/cruncher.py" >/dev/null
"${C32[@]}" run -d --name queue-worker -m 64m --restart on-failure:3 "$WORK/images/queue.sh" >/dev/null
"${C32[@]}" run -d --name nightly --isolation strict -- sleep 86400 >/dev/null
"${C32[@]}" run -d --name reporter "$WORK/images/reporter.py" >/dev/null
"${C32[@]}" run -d --name hog -m 32m "$WORK/images/hog.py" >/dev/null
"${C32[@]}" pause queue-worker >/dev/null

tmx() { tmux -L "$SOCKET" "$@"; }
tmx -f /dev/null new-session -d -s top -x "$COLS" -y "$ROWS" \
	"TERM=xterm-256color exec node '$ROOT/dist/bundle/c32.cjs' top --interval 500ms"
sleep 2
tmx send-keys -t top N
# Let the graphs fill up with history.
sleep "${HISTORY_SECONDS:-90}"

# Turns `tmux capture-pane -e` output into an HTML grid of cells, so every character,
# braille and blocks included, sits in its column whatever font the glyph comes from.
TO_HTML=$(cat <<'EOF'
import {readFileSync, writeFileSync} from 'node:fs';
import xterm from '@xterm/headless';
const [input, output, cols, rows] = process.argv.slice(1);
const term = new xterm.Terminal({cols: Number(cols), rows: Number(rows), allowProposedApi: true, convertEol: true});
await new Promise((resolve) => term.write(readFileSync(input, 'utf8').replace(/\n$/, ''), resolve));
const palette = ['#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4',
	'#7f848e', '#f08c95', '#b0dc91', '#f0d08f', '#7cc0f5', '#d894ea', '#6fcfd9', '#ffffff'];
const fg0 = '#dcdfe4', bg0 = '#1e1e1e';
const colour = (mode, value, fallback) => {
	if (mode === 0) return fallback;
	if (mode === 16777216 * 3) return `#${value.toString(16).padStart(6, '0')}`;
	if (value < 16) return palette[value];
	if (value >= 232) { const g = 8 + (value - 232) * 10; return `rgb(${g},${g},${g})`; }
	const v = value - 16, c = (x) => (x ? 55 + x * 40 : 0);
	return `rgb(${c(Math.floor(v / 36))},${c(Math.floor(v / 6) % 6)},${c(v % 6)})`;
};
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const buffer = term.buffer.active, cell = buffer.getNullCell();
let html = '';
for (let y = 0; y < Number(rows); y++) {
	const line = buffer.getLine(y);
	html += '<div class="row">';
	for (let x = 0; x < Number(cols); x++) {
		line?.getCell(x, cell);
		let fg = colour(cell.getFgColorMode(), cell.getFgColor(), fg0);
		let bg = colour(cell.getBgColorMode(), cell.getBgColor(), bg0);
		if (cell.isInverse()) [fg, bg] = [bg === bg0 ? bg0 : bg, fg];
		if (cell.isInverse() && cell.getBgColorMode() === 0) fg = bg0;
		if (cell.isDim()) fg = `color-mix(in srgb, ${fg} 55%, ${bg0})`;
		const weight = cell.isBold() ? 'font-weight:bold;' : '';
		html += `<span style="color:${fg};background:${bg};${weight}">${escape(cell.getChars() || ' ')}</span>`;
	}
	html += '</div>\n';
}
writeFileSync(output, `<!doctype html><meta charset="utf-8"><style>
body{margin:0;padding:12px;background:${bg0}}
.row{display:grid;grid-template-columns:repeat(${cols},8.5px);height:18px;line-height:18px;
font:14px 'DejaVu Sans Mono','DejaVu Sans',monospace;white-space:pre}
.row span{overflow:visible}
</style>${html}`);
EOF
)

shot() {
	local name=$1 cols=$2 rows=$3
	tmx capture-pane -e -p -t top >"$WORK/$name.ans"
	# Evaluated from the repository root, so @xterm/headless resolves from its node_modules.
	node --input-type=module -e "$TO_HTML" -- "$WORK/$name.ans" "$WORK/$name.html" "$cols" "$rows"
	local width=$((cols * 17 / 2 + 24)) height=$((rows * 18 + 24))
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WORK/chromium" --hide-scrollbars --window-size="$width,$height" \
		--screenshot="$OUT/$name.png" "file://$WORK/$name.html" >/dev/null 2>&1
	echo "screenshots/$name.png"
}

# Selects a container the way a person would: filter to it, then drop the filter; the
# selection stays on the container.
pick() {
	tmx send-keys -t top Escape
	sleep 0.3
	tmx send-keys -t top / "$1" Enter
	sleep 0.5
	tmx send-keys -t top Escape
	sleep 1
}

# Overview: the web service selected, its graphs and log.
pick web
shot overview "$COLS" "$ROWS"

# Graphs and details of the CPU-bound job.
pick cruncher
tmx send-keys -t top Enter
sleep 1.5
shot graphs "$COLS" "$ROWS"
tmx send-keys -t top Enter

# Logs full screen with a search.
pick web
tmx send-keys -t top l / WARN Enter
sleep 1
shot logs "$COLS" "$ROWS"
tmx send-keys -t top Escape
sleep 0.3

# Help.
tmx send-keys -t top '?'
sleep 0.8
shot help "$COLS" "$ROWS"
tmx send-keys -t top Escape

# The smallest supported terminal.
pick cruncher
tmx resize-window -t top -x 80 -y 24
sleep 1.5
shot small 80 24

tmx send-keys -t top q
sleep 0.5
