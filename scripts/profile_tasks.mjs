// Reads what `BENCH_PROFILE=... node tests/bench.mjs` wrote (target/bench-profile.json,
// target/bench-tasks.json) and prints each task of the page over MIN ms (default 30):
// the browser's own steps in it (layout, paint, timers) and the functions its samples
// were in, by time (inclusive; wasm names need a build that keeps them, see
// docs/benchmarks.md).
//
//   node scripts/profile_tasks.mjs [MIN]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'target');
const profile = JSON.parse(fs.readFileSync(path.join(target, 'bench-profile.json')));
const tasks = JSON.parse(fs.readFileSync(path.join(target, 'bench-tasks.json')));
const min = Number(process.argv[2] || 30);

const node = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const name = (id) => node.get(id).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '') || '(anonymous)';
// Each sample's time on the trace's clock, and its ms.
const samples = [];
let t = profile.startTime;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i];
  samples.push([t, id, profile.timeDeltas[i] / 1000]);
});

// Frames every task of the page goes through (the root, the bindings'
// calls in and out, the futures' queue): said nothing.
const glue = /^(\((root|program)\)|real|js-to-wasm|wasm-to-js|wasm_bindgen|js_sys::futures|<core::pin::Pin|core::ops::function)/;

for (const [start, ms, steps] of tasks.filter((x) => x[1] >= min)) {
  const inclusive = new Map();
  for (const [at, id, dt] of samples.filter(([at]) => at >= start && at < start + ms * 1000)) {
    const seen = new Set();
    for (let x = id; x != null; x = parent.get(x)) seen.add(name(x));
    for (const n of seen) inclusive.set(n, (inclusive.get(n) || 0) + dt);
  }
  console.log(`task at ${((start - profile.startTime) / 1000).toFixed(0)} ms: ${ms.toFixed(1)} ms`);
  console.log(`  steps: ${steps.filter((e) => e[1] >= 2).map(([n, d]) => `${n} ${d}`).join(', ')}`);
  const top = [...inclusive].filter(([n]) => !glue.test(n)).sort((a, b) => b[1] - a[1]).slice(0, 12);
  for (const [n, v] of top) console.log(`  ${v.toFixed(1).padStart(6)} ${n.slice(0, 110)}`);
}
