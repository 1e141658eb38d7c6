#!/bin/sh
# A one-shot job: writes a report to /out (mount a volume there) and exits.
set -e
mkdir -p /out
date -u +"report at %Y-%m-%dT%H:%M:%SZ from $(hostname)" > /out/report.txt
echo "wrote /out/report.txt"
