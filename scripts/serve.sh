#!/usr/bin/env bash
# Installs what is missing, builds the release app and serves it on
# http://127.0.0.1:8080 with the demo traces open. Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# Its own output folder: test.sh and bench.mjs build and serve another, and
# this one holds Trunk's auto-reload page.
exec trunk serve --release --dist target/serve-dist --address 127.0.0.1 --port 8080
