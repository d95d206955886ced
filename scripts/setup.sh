#!/usr/bin/env bash
# Installs whatever Tracescope needs that is missing, and nothing else.
# Usage: scripts/setup.sh [--browser] [--fuzz]
#   --browser: also Chromium for the tests; --fuzz: also the nightly
#   toolchain and cargo-fuzz (scripts/fuzz.sh).
# Every step first checks for the tool at the right version, so a warm
# machine passes through in a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_fuzz=0
for arg in "$@"; do
  case $arg in
    --browser) want_browser=1 ;;
    --fuzz) want_fuzz=1 ;;
  esac
done
CARGO_FUZZ_VERSION=0.13.2

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install the Rust toolchain (rustup) first" >&2
  exit 1
fi
if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "cargo install trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WBG_VERSION (about 3 minutes)"
  # Not --locked: its lockfile pins a crate version the registry here lacks.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi
if ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
   || [ "$(node_modules/.bin/wasm-opt --version 2>/dev/null | awk '{print $3}')" != "132" ]; then
  say "npm ci (binaryen's wasm-opt, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ "$want_browser" = 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  apt_install chromium chromium-driver
fi
if [ "$want_fuzz" = 1 ]; then
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "rustup toolchain install nightly (for cargo fuzz)"
    rustup toolchain install nightly --profile minimal \
      || say "no nightly toolchain: scripts/fuzz.sh builds with stable and RUSTC_BOOTSTRAP=1"
  fi
  if [ "$(cargo-fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
    say "cargo install cargo-fuzz $CARGO_FUZZ_VERSION (about a minute)"
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
  fi
fi
say "ready: $(trunk --version), wasm-bindgen $WBG_VERSION, wasm-opt $(wasm-opt --version | awk '{print $3}')"
