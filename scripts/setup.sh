#!/usr/bin/env bash
# Installs whatever Tracescope needs that is missing, and nothing else.
# Usage: scripts/setup.sh [--browser] [--fuzz] [--backends]
#   --browser: also Chromium for the tests; --fuzz: also the nightly
#   toolchain and cargo-fuzz (scripts/fuzz.sh); --backends: also Jaeger v2
#   (built from its Go module) and Zipkin (its jar from Maven Central) for
#   the real-backend tests and scripts/backends.sh.
# Every step first checks for the tool at the right version, so a warm
# machine passes through in a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_fuzz=0
want_backends=0
for arg in "$@"; do
  case $arg in
    --browser) want_browser=1 ;;
    --fuzz) want_fuzz=1 ;;
    --backends) want_backends=1 ;;
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
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/@opentelemetry/sdk-trace ] \
   || [ ! -d node_modules/terser ] || [ "$(node_modules/.bin/wasm-opt --version 2>/dev/null | awk '{print $3}')" != "132" ]; then
  say "npm ci (binaryen's wasm-opt, terser, playwright-core, the OpenTelemetry SDK)"
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
if [ "$want_backends" = 1 ]; then
  # Jaeger v2 is the module version tests/backends/jaeger/go.mod names, built
  # there (`go install pkg@version` refuses it: its go.mod has replace lines).
  jaeger_version=$(awk '$1 == "github.com/jaegertracing/jaeger" {print $2}' tests/backends/jaeger/go.mod)
  jaeger_bin=target/backends/jaeger-$jaeger_version
  if [ ! -x "$jaeger_bin" ]; then
    command -v go >/dev/null || { echo "go is missing: install Go 1.24 or newer first" >&2; exit 1; }
    say "go build Jaeger $jaeger_version (about 5 minutes on 2 cores, 1.3 GB of modules)"
    mkdir -p target/backends
    (cd tests/backends/jaeger && go build -trimpath \
      -ldflags "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$jaeger_version" \
      -o "../../../$jaeger_bin.part" github.com/jaegertracing/jaeger/cmd/jaeger)
    mv "$jaeger_bin.part" "$jaeger_bin"
  fi
  # shellcheck source=../tests/backends/versions.env
  . tests/backends/versions.env
  zipkin_jar=$HOME/.m2/repository/io/zipkin/zipkin-server/$ZIPKIN_VERSION/zipkin-server-$ZIPKIN_VERSION-exec.jar
  if [ ! -f "$zipkin_jar" ]; then
    command -v java >/dev/null && command -v mvn >/dev/null || apt_install openjdk-17-jre-headless maven
    say "mvn dependency:get io.zipkin:zipkin-server:$ZIPKIN_VERSION (its 130 MB executable jar)"
    mvn -q -B dependency:get -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" -Dtransitive=false
  fi
  command -v setpriv >/dev/null || apt_install util-linux
  say "backends: Jaeger $jaeger_version ($jaeger_bin), Zipkin $ZIPKIN_VERSION ($zipkin_jar)"
fi
say "ready: $(trunk --version), wasm-bindgen $WBG_VERSION, wasm-opt $(wasm-opt --version | awk '{print $3}')"
