#!/usr/bin/env bash
# Idempotent set-up for c32: the OCI runtime and monitor, the npm packages, the build.
# Run by ./c32 and by `npm test`; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_node() {
	echo "c32 needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
	echo "On Debian 13 / Ubuntu 24.10 and newer: apt-get install -y nodejs npm; elsewhere install Node 20 from nodejs.org or your version manager." >&2
	exit 1
}

missing=()
for tool in runc conmon; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# The init of --init and of script images (tini-static does the same job).
command -v catatonit >/dev/null || command -v tini-static >/dev/null || missing+=(catatonit)
# OCI images: skopeo moves them, setfattr writes the overlay whiteouts of their layers.
command -v skopeo >/dev/null || missing+=(skopeo)
command -v setfattr >/dev/null || missing+=(attr)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "c32 setup: installing ${missing[*]} with apt-get" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
	else
		echo "c32 setup: ${missing[*]} missing; install with: sudo apt-get install -y ${missing[*]} (minimal isolation works without them)" >&2
	fi
fi

# Node is checked only when there is something to install or build: ./c32 runs this before
# every command, and a `node -p` costs as much as the command itself (the CLI checks too).
stale_modules=$([ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] && echo yes || true)
stale_build=$([ ! -f dist/bundle/c32.cjs ] || [ -n "$(find engine source components test bench examples scripts package.json -newer dist/.built -print -quit 2>/dev/null || echo stale)" ] && echo yes || true)
[ -z "$stale_modules$stale_build" ] && exit 0

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null 2>&1 || true
		node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	fi
	[ "$node_major" -ge 20 ] || need_node
fi

if [ -n "$stale_modules" ]; then
	npm ci --no-audit --no-fund --loglevel=error >&2
fi
if [ -n "$stale_build" ] || [ -n "$stale_modules" ]; then
	npm run --silent build >&2
	touch dist/.built
fi
