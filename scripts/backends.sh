#!/usr/bin/env bash
# Installs what is missing, then runs a real Jaeger v2 and Zipkin on
# loopback fed by an OpenTelemetry-instrumented program, and serves the app
# on http://127.0.0.1:8080 with both backends in its settings. Ctrl+C stops
# everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --backends
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# A folder of its own: serve.sh and test.sh build into theirs.
trunk build --release --dist target/backends-dist
exec node tests/backends/run.mjs target/backends-dist
