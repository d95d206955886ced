#!/usr/bin/env bash
# Coverage-guided fuzzing of the decoders and parsers (cargo fuzz on the
# nightly toolchain, or stable with RUSTC_BOOTSTRAP=1 where there is none):
# each target in fuzz/ runs for SECONDS (default 60), seeded from
# ../shared/corpus. Totals go to target/fuzz-report.txt; a crash
# leaves its input in fuzz/artifacts/<target>/ and fails the run (turn it
# into a regression test, then delete it).
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
bash scripts/setup.sh --fuzz
export PATH="$HOME/.cargo/bin:$PATH"
# cargo fuzz needs nightly's flags; stable takes them with RUSTC_BOOTSTRAP
# (checked here: it builds and runs the same sanitized targets).
toolchain=nightly
if ! rustup toolchain list | grep -q '^nightly'; then
  toolchain=stable
  export RUSTC_BOOTSTRAP=1
fi

targets="decode gzip share_link link_payload backend_answers redaction search_form url_state"
corpus=../shared/corpus
seeds=target/fuzz-corpus
mkdir -p "$seeds"
# Seeds live under target/ (the shared corpus is never copied into the
# project); files of the shared corpus are read where they are.
for t in $targets; do mkdir -p "$seeds/$t"; done
printf 'token password *.key\n{"data":[]}' > "$seeds/redaction/seed"
printf 'service=frontend error=true http.status_code=500' > "$seeds/search_form/tags"
printf '1.5ms' > "$seeds/search_form/duration"
printf 'H4sIAAAAAAAA' > "$seeds/share_link/seed"
printf '?trace=4bf92f35&view=flame&zoom=10,20&q=GET+%%2Fapi&fold=a,b' > "$seeds/url_state/seed"
printf '?seta=time:1700000000000000000,&setb=ids:a1,b2&compare=a,b' > "$seeds/url_state/sets"
printf '?seta=find:error%%3Dtrue+duration%%3E5ms&setb=rest' > "$seeds/url_state/sets-find"
# Gzip files of one member and of two (`cat a.gz b.gz`).
for f in otlp/jaeger-integration-example_trace.json zipkin/zipkin-lens-skew.json; do
  gzip -c "$corpus/$f" > "$seeds/gzip/$(basename "$f").gz"
done
cat "$seeds"/gzip/*.json.gz > "$seeds/gzip/two-members.gz"
corpus_dirs=$(find "$corpus" -mindepth 1 -maxdepth 1 -type d | sort)
# Compact link payloads of every corpus trace (written by linkchars).
cargo run -q -p tracescope-core --bin linkchars -- "$corpus" --payloads "$seeds/link_payload" > /dev/null

(cd fuzz && cargo +"$toolchain" fuzz build -O)
report=target/fuzz-report.txt
: > "$report"
status=0
for t in $targets; do
  extra=""
  case $t in decode|backend_answers) extra=$corpus_dirs ;; esac
  log="target/fuzz-$t.log"
  # shellcheck disable=SC2086
  if ! (cd fuzz && cargo +"$toolchain" fuzz run -O "$t" "../$seeds/$t" $(for d in $extra; do echo "../$d"; done) -- \
        -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
        -print_final_stats=1) > "$log" 2>&1; then
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  crashes=$(ls fuzz/artifacts/"$t" 2>/dev/null | wc -l)
  echo "$t: $runs executions in ${SECONDS_EACH}s, $crashes crashes" | tee -a "$report"
done
exit $status
