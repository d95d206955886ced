#!/usr/bin/env bash
# Installs what is missing, then runs every test: format and lints, the
# native core tests, inspect over the corpus, a short fuzzing round, the
# wasm-bindgen browser tests, the release build, the end-to-end tests in
# headless Chromium, and the same against a real Jaeger v2 and Zipkin.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser --backends
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=never
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (core natively; components and app for wasm32)"
cargo clippy -p tracescope-decode -p tracescope-core --all-targets -- -D warnings
cargo clippy -p tracescope-components -p tracescope -p tracescope-worker --target wasm32-unknown-unknown --all-targets -- -D warnings

step "core: unit, corpus, snapshot and property tests"
cargo test -p tracescope-decode -p tracescope-core

step "inspect over every corpus file: no panic"
cargo build -q -p tracescope-core --bin inspect --bin gentrace
set +e
./target/debug/inspect ../shared/corpus/*/* >/tmp/tracescope-inspect.out 2>/tmp/tracescope-inspect.err
code=$?
set -e
if [ "$code" -gt 1 ] || grep -q panicked /tmp/tracescope-inspect.err; then
  cat /tmp/tracescope-inspect.err
  echo "inspect failed with exit code $code" >&2
  exit 1
fi
echo "inspect: $(grep -vc "^  warning" /tmp/tracescope-inspect.out) files decoded, $(grep -c . /tmp/tracescope-inspect.err || true) rejected with a reason (exit $code)"

step "fuzzing: a short round of each target (scripts/fuzz.sh 15)"
bash scripts/fuzz.sh 15

step "components in headless Chromium (wasm-bindgen-test)"
WASM_BINDGEN_TEST_TIMEOUT=120 cargo test -p tracescope-components -p tracescope-worker --target wasm32-unknown-unknown

step "release build (trunk) into target/test-dist"
# Not dist/ nor serve.sh's folder: a `trunk serve` running beside the tests
# must not rebuild into, or put its reload script in, what the tests serve.
trunk build --release --dist target/test-dist

step "the bundle: wasm + JS, gzip -9, at most 800,000 bytes"
bundle=0
for f in target/test-dist/*.wasm target/test-dist/*.js; do
  bundle=$((bundle + $(gzip -9 -c "$f" | wc -c)))
done
echo "bundle: $bundle bytes"
if [ "$bundle" -gt 800000 ]; then
  echo "the bundle is over its budget of 800,000 bytes" >&2
  exit 1
fi

step "end-to-end tests in headless Chromium"
DIST=target/test-dist node tests/e2e.mjs

step "end-to-end tests against a real Jaeger v2 and Zipkin (tests/backends)"
DIST=target/test-dist node tests/e2e_backends.mjs
