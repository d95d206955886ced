// Reads what `BENCH_PROFILE=... node tests/bench.mjs` wrote and prints where the time went
// (wasm names need a build that keeps them, see docs/benchmarks.md):
//
//   node scripts/profile_tasks.mjs [MIN]   each task of the page over MIN ms (default 30):
//                                          the browser's own steps in it (layout, paint,
//                                          timers) and the functions its samples were in
//   node scripts/profile_tasks.mjs worker-N   the functions worker N's samples were in,
//                                          inclusive and self, over the whole profile
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'target');
const arg = process.argv[2] || '30';
const worker = arg.startsWith('worker-');
const profile = JSON.parse(fs.readFileSync(path.join(target, worker ? `bench-profile-${arg}.json` : 'bench-profile.json')));

const node = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const name = (id) => node.get(id).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '') || '(anonymous)';
// Each sample's time (on the trace's clock), node and ms.
const samples = [];
let t = profile.startTime;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i];
  samples.push([t, id, profile.timeDeltas[i] / 1000]);
});
// Frames every task goes through (the root, the bindings' calls in and
// out, the futures' queue): said nothing.
const glue = /^(\((root|program|idle)\)|real|js-to-wasm|wasm-to-js|wasm_bindgen|js_sys::futures|<core::pin::Pin|core::ops::function)/;

/** The `k` functions most time was spent in (inclusive) among `of`, and the `k` most by self time. */
function top(of, k) {
  const inclusive = new Map();
  const own = new Map();
  for (const [, id, dt] of of) {
    const seen = new Set();
    for (let x = id; x != null; x = parent.get(x)) seen.add(name(x));
    for (const n of seen) inclusive.set(n, (inclusive.get(n) || 0) + dt);
    own.set(name(id), (own.get(name(id)) || 0) + dt);
  }
  const line = ([n, v]) => `  ${v.toFixed(1).padStart(7)} ${n.slice(0, 110)}`;
  const best = (m) => [...m].filter(([n]) => !glue.test(n)).sort((a, b) => b[1] - a[1]).slice(0, k).map(line);
  return { inclusive: best(inclusive), own: best(own) };
}

if (worker) {
  const busy = samples.filter(([, id]) => name(id) !== '(idle)');
  const { inclusive, own } = top(busy, 40);
  console.log(`${arg}: ${busy.reduce((a, s) => a + s[2], 0).toFixed(0)} ms busy\ninclusive:\n${inclusive.join('\n')}\nself:\n${own.slice(0, 20).join('\n')}`);
} else {
  const tasks = JSON.parse(fs.readFileSync(path.join(target, 'bench-tasks.json')));
  for (const [start, ms, steps] of tasks.filter((x) => x[1] >= Number(arg))) {
    console.log(`task at ${((start - profile.startTime) / 1000).toFixed(0)} ms: ${ms.toFixed(1)} ms`);
    console.log(`  steps: ${steps.filter((e) => e[1] >= 2).map(([n, d]) => `${n} ${d}`).join(', ')}`);
    const { inclusive } = top(samples.filter(([at]) => at >= start && at < start + ms * 1000), 12);
    console.log(inclusive.join('\n'));
  }
}
