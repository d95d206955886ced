// Browser benchmark (not a test): drives the release build (target/bench-dist/, or $DIST) in
// headless Chromium with synthetic traces and prints, per size: file MB,
// V8 JSON.parse ms of the same bytes in the same page (and File.text +
// JSON.parse of the file on disk, a JavaScript viewer's load), the worker's read and
// decode ms, the time from its last part to the first paint, first
// waterfall paint ms, first paint ÷ JSON.parse, p50/p99 frame time during a
// scripted scroll and zoom, the flame chart's index time and zoom paints,
// JS heap and wasm memory, the browser's resident memory at its peak during
// the load, and the bundle size; then the longest main-thread
// task of each interaction (tabs, flame modes, statistics groupings, a
// sort, a filter, find, the pills).
//
//   node tests/bench.mjs [SPANS,SPANS,...] [jaeger|jaeger-trace|jaeger-lines|jaeger-list|otlp|otlp-lines|zipkin|datadog|chrome|traces|tiny]
//   ("otlp-lines": OTLP JSON Lines, a request of 512 spans a line, JSON.parse a line at a
//   time; "traces": a Jaeger file of SPANS one-span traces, each its own process, as many small
//   traces come; "tiny": the same with only ids, start and duration a span; only the load
//   is measured, with the page's wasm memory per trace)
//   (after `trunk build --release --dist target/bench-dist` and `cargo build --release -p tracescope-core --bin gentrace`)
//   BENCH_WORKERS=1,2,4 opens each size once per count of workers the app may decode it
//   with (its setting 'tracescope-decode-workers'; by default one per core) and measures
//   only the load, with the parts it was decoded in and where the decode's time went.
//   BENCH_PROFILE='<interaction>' (or 'load') writes a CPU profile of that interaction to
//   target/bench-profile.json (names with a build whose wasm keeps them, see docs/benchmarks.md).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** A CPU profile of what follows when BENCH_PROFILE names it, written to
 * target/bench-profile.json by `stop()` (a no-op otherwise); and the
 * page's tasks over 8 ms in target/bench-tasks.json, each `[start µs,
 * ms, [[event, ms, ms from the task's start], …]]` on the profile's clock
 * (a profile alone does not say where one task ends and the next begins):
 * `node scripts/profile_tasks.mjs` reads the two together. */
async function profiling(page, what) {
  if (process.env.BENCH_PROFILE !== what) return { stop: async () => {} };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const traced = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { categories: 'toplevel,devtools.timeline,disabled-by-default-devtools.timeline,disabled-by-default-v8.cpu_profiler', transferMode: 'ReportEvents' });
  return {
    stop: async () => {
      await cdp.send('Tracing.end');
      await traced;
      const { profile } = await cdp.send('Profiler.stop');
      fs.writeFileSync(path.join(root, 'target', 'bench-profile.json'), JSON.stringify(profile));
      // The page's thread is the one that lays out; workers' tasks are left out.
      const main = events.find((e) => e.name === 'Layout' || e.name === 'FireAnimationFrame')?.tid;
      const tasks = events.filter((e) => e.tid === main && e.name === 'RunTask' && e.dur > 8000).map((t) => [t.ts, t.dur / 1000,
        events.filter((e) => e.tid === main && e.ts >= t.ts && e.ts < t.ts + t.dur && e.dur > 1000 && !/RunTask$/.test(e.name))
          .map((e) => [e.name, +(e.dur / 1000).toFixed(1), +((e.ts - t.ts) / 1000).toFixed(1)])]);
      fs.writeFileSync(path.join(root, 'target', 'bench-tasks.json'), JSON.stringify(tasks));
      // The workers' CPU profiles (the trace's, in pieces), one file each.
      const workers = new Set(events.filter((e) => e.name === 'thread_name' && e.args.name === 'DedicatedWorker thread').map((e) => e.tid));
      const ids = events.filter((e) => e.name === 'Profile' && workers.has(e.tid)).map((e) => [e.id, e.args.data.startTime]);
      ids.forEach(([id, startTime], k) => {
        const nodes = new Map();
        const samples = [];
        const timeDeltas = [];
        for (const e of events.filter((e) => e.name === 'ProfileChunk' && e.id === id)) {
          const { cpuProfile = {}, timeDeltas: dt = [] } = e.args.data;
          for (const n of cpuProfile.nodes || []) nodes.set(n.id, { ...n, children: [] });
          samples.push(...(cpuProfile.samples || []));
          timeDeltas.push(...dt);
        }
        for (const n of nodes.values()) if (n.parent) nodes.get(n.parent).children.push(n.id);
        const profile = { nodes: [...nodes.values()], startTime, samples, timeDeltas };
        fs.writeFileSync(path.join(root, 'target', `bench-profile-worker-${k + 1}.json`), JSON.stringify(profile));
      });
    },
  };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(root, process.env.DIST || path.join('target', 'bench-dist'));
const sizes = (process.argv[2] || '10000,100000').split(',').map(Number);
const format = process.argv[3] || 'jaeger';
const gentrace = process.env.GENTRACE || path.join(root, 'target', 'release', 'gentrace');
const tmp = fs.mkdtempSync('/tmp/tracescope-bench-');

/** A Jaeger file of `n` one-span traces, each its own process, written a
 * thousand traces at a time; `tiny`: each span only its ids, start and
 * duration (#20's shape of a file that is nearly all traces). */
function writeOneSpanTraces(f, n, tiny) {
  const fd = fs.openSync(f, 'w');
  fs.writeSync(fd, '{"data":[');
  for (let k = 0; k < n; k += 1000) {
    const part = [];
    for (let i = k; i < Math.min(n, k + 1000); i++) {
      const id = i.toString(16).padStart(16, '0');
      if (tiny) {
        part.push(`{"traceID":"${id}","spans":[{"traceID":"${id}","spanID":"${id}","startTime":${1700000000000000 + i * 1000},"duration":${500 + (i % 13)}}]}`);
        continue;
      }
      part.push(`{"traceID":"${id}","spans":[{"traceID":"${id}","spanID":"${id}","operationName":"op-${i % 5}","references":[],`
        + `"startTime":${1700000000000000 + i * 1000},"duration":${500 + (i % 13)},"tags":[{"key":"k","type":"int64","value":${i % 7}}],"logs":[],"processID":"p1"}],`
        + `"processes":{"p1":{"serviceName":"svc-${i % 7}","tags":[]}}}`);
    }
    fs.writeSync(fd, (k ? ',' : '') + part.join(','));
  }
  fs.writeSync(fd, ']}');
  fs.closeSync(fd);
}

const files = {};
for (const n of sizes) {
  const f = path.join(tmp, `synth-${n}.json`);
  if (format === 'traces' || format === 'tiny') writeOneSpanTraces(f, n, format === 'tiny');
  else fs.writeFileSync(f, execFileSync(gentrace, [String(n), format, '1'], { maxBuffer: 4 << 30 }));
  files[`/synth-${n}.json`] = f;
}
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  let p = files[u.pathname] || path.join(dist, decodeURIComponent(u.pathname));
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'index.html');
  if (!fs.existsSync(p)) { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'content-type': MIME[path.extname(p)] || 'application/octet-stream', 'content-length': fs.statSync(p).size });
  fs.createReadStream(p).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info', '--js-flags=--max-old-space-size=8192 --expose-gc'],
});

/** Bytes resident in this process's descendants (the browser and its
 * renderers, where the page's workers run), from /proc; NaN elsewhere. */
function browserResident() {
  try {
    const parent = new Map();
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try { parent.set(pid, fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]); } catch { /* ended */ }
    }
    const ours = (pid) => { for (let p = pid; p && p !== '0' && p !== '1'; p = parent.get(p)) if (p === String(process.pid)) return true; return false; };
    let pages = 0;
    for (const pid of parent.keys()) {
      if (pid === String(process.pid) || !ours(pid)) continue;
      try { pages += Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]); } catch { /* ended */ }
    }
    return pages * 4096;
  } catch { return NaN; }
}

/** Samples [`browserResident`] every 50 ms until `stop()`, which returns
 * the resident bytes before and the peak. */
function residentPeak() {
  const before = browserResident();
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, browserResident()); }, 50);
  return { stop: () => { clearInterval(timer); return { before, peak: Math.max(peak, browserResident()) }; } };
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN; };
const rows = [];
const interactions = [];
const workerCounts = process.env.BENCH_WORKERS ? process.env.BENCH_WORKERS.split(',').map(Number) : [0];
const manyTraces = format === 'traces' || format === 'tiny';
// JSON Lines: what a JavaScript viewer parses is each line.
const jsonLines = format.endsWith('-lines');
const loadOnly = manyTraces || !!process.env.BENCH_WORKERS;
// How long the page rests between the harness's JSON.parse and the open.
const settleMs = Number(process.env.BENCH_SETTLE_MS || 300);
for (const n of sizes) for (const workers of workerCounts) {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  page.setDefaultTimeout(600000);
  page.on('console', (m) => { if (process.env.BENCH_LOG) console.log('page:', m.text()); });
  await page.goto(base);
  await page.waitForSelector('.app[data-ready=true]');
  if (workers) await page.evaluate((w) => localStorage.setItem('tracescope-decode-workers', String(w)), workers);
  const url = `/synth-${n}.json`;
  // The same bytes: JSON.parse (the floor of every JavaScript viewer), then the file opened in the app.
  // The page's policy allows no eval: the parse is set up by a function.
  await page.evaluate((lines) => {
    window.__parseAll = (text) => {
      if (!lines) return JSON.parse(text);
      for (const l of text.split('\n')) if (l.trim()) JSON.parse(l);
    };
  }, jsonLines);
  const r = await page.evaluate(async (url) => {
    const buf = await (await fetch(url)).arrayBuffer();
    const t0 = performance.now();
    // Past V8's longest string (2^29 - 24 characters) no JavaScript viewer
    // can parse the file at all (TextDecoder then returns a cut string).
    let parse = NaN;
    if (buf.byteLength < 2 ** 29 - 24) {
      window.__parseAll(new TextDecoder().decode(buf));
      parse = performance.now() - t0;
    }
    return { bytes: buf.byteLength, parse };
  }, url);
  // What a JavaScript viewer pays from a file a person opens: reading it
  // as text (File.text) and JSON.parse, from the same file on disk.
  await page.evaluate(() => { const i = document.createElement('input'); i.type = 'file'; i.id = 'bench-js-viewer'; i.hidden = true; document.body.append(i); });
  await page.setInputFiles('#bench-js-viewer', files[url]);
  r.readParse = await page.evaluate(async () => {
    const f = document.getElementById('bench-js-viewer').files[0];
    if (f.size >= 2 ** 29 - 24) return NaN;
    const t0 = performance.now();
    window.__parseAll(await f.text());
    return performance.now() - t0;
  });
  await page.evaluate(async (settleMs) => {
    document.getElementById('bench-js-viewer').remove();
    // The parsed objects' garbage is the harness's, not the app's.
    globalThis.gc?.();
    await new Promise((ok) => setTimeout(ok, settleMs));
    // Main-thread tasks over 50 ms from the open until 1.5 s after the first
    // paint (the page cannot answer a click meanwhile).
    window.__long = [];
    window.__t_drop = performance.now();
    window.__long_at = [];
    new PerformanceObserver((l) => { window.__long.push(...l.getEntries().map((e) => e.duration)); window.__long_at.push(...l.getEntries().map((e) => [Math.round(e.startTime - window.__t_drop), Math.round(e.duration)])); }).observe({ type: 'longtask' });
  }, settleMs);
  // Opened from disk, as a person opens a file (a File made from a 600 MB
  // ArrayBuffer in the page cannot be read back by this Chromium).
  const loadProfiled = await profiling(page, 'load');
  const resident = residentPeak();
  await page.setInputFiles('[data-testid=file-input]', files[url]);
  await page.waitForFunction((n) => (window.__tracescope?.spans === n && window.__tracescope.first_paint_ms != null) || window.__tracescope?.error, n, { polling: 50 });
  const memory = resident.stop();
  const failed = await page.evaluate(() => window.__tracescope.error);
  if (failed) { console.log(`${n} spans: the load failed: ${failed}`); await page.context().close(); continue; }
  await page.waitForTimeout(1500);
  await loadProfiled.stop();
  const m = await page.evaluate(() => ({ ...window.__tracescope, wasm: window.__tracescope.wasm_bytes(), longest: Math.max(0, ...window.__long) }));
  // BENCH_LOG: when each long task began (ms from the open) and how long it took.
  if (process.env.BENCH_LOG) console.log('long tasks [start, ms]:', JSON.stringify(await page.evaluate(() => window.__long_at)), 'first paint', m.first_paint_ms);
  if (loadOnly) {
    rows.push({
      [manyTraces ? 'traces' : 'spans']: n, workers: workers || 'per core', parts: m.decode_parts, 'file MB': (r.bytes / 1e6).toFixed(1),
      'JSON.parse ms': Number.isNaN(r.parse) ? 'impossible' : r.parse.toFixed(0), 'read ms': m.read_ms.toFixed(0), 'decode ms': m.decode_ms.toFixed(0),
      // Of the decode: the first part's (here the worker's own), waiting for the helpers' parts, then the merge.
      'first part ms': m.first_part_ms.toFixed(0), 'helpers ms': m.helpers_ms.toFixed(0), 'merge ms': (m.decode_ms - m.first_part_ms - m.helpers_ms).toFixed(0),
      'apply ms': m.apply_ms.toFixed(0), 'first paint ms': m.first_paint_ms.toFixed(0), 'paint ÷ parse': (m.first_paint_ms / r.parse).toFixed(2), 'longest task ms': m.longest.toFixed(0),
      'wasm MB': (m.wasm / 1e6).toFixed(0), ...(manyTraces ? { 'wasm B a trace': (m.wasm / n).toFixed(0) } : {}),
      // The browser's resident memory during the load, above what it held before (the file's bytes in the page included).
      'load peak MB': ((memory.peak - memory.before) / 1e6).toFixed(0),
    });
    await page.context().close();
    continue;
  }
  // Scripted scroll and zoom over the waterfall, frame intervals from requestAnimationFrame.
  const c = await page.$eval('[data-testid=waterfall-canvas]', (e) => { const b = e.getBoundingClientRect(); return { x: b.x + b.width * 0.7, y: b.y + b.height * 0.6 }; });
  await page.mouse.move(c.x, c.y);
  await page.evaluate(() => { window.__paint_ms = []; window.__frames = []; const f = (t) => { window.__frames.push(t); if (!window.__stop) requestAnimationFrame(f); }; window.__stop = false; requestAnimationFrame(f); });
  for (let i = 0; i < 40; i++) { await page.mouse.wheel(0, 120); await page.waitForTimeout(16); }
  await page.keyboard.down('Control');
  for (let i = 0; i < 20; i++) { await page.mouse.wheel(0, i < 10 ? -100 : 100); await page.waitForTimeout(16); }
  await page.keyboard.up('Control');
  const frames = await page.evaluate(() => { window.__stop = true; const f = window.__frames; return f.slice(1).map((t, i) => t - f[i]); });
  // The work of each repaint (the interval above cannot go below the display's 16.7 ms).
  const paints = await page.evaluate(() => window.__paint_ms);
  // The flame chart: open it, then zoom in and out at its middle.
  await page.evaluate(() => { window.__paint_ms = []; window.__long = []; window.__t_flame = performance.now(); });
  await page.click('[data-testid=view-flame]');
  await page.waitForSelector('[data-testid=flame-canvas]');
  // The flame chart's level-of-detail index is made a part per task.
  await page.waitForSelector('[data-testid=flame-indexing]', { state: 'detached' });
  const index = await page.evaluate(() => ({ ms: performance.now() - window.__t_flame, longest: Math.max(0, ...window.__long) }));
  const fc = await page.$eval('[data-testid=flame-canvas]', (e) => { const b = e.getBoundingClientRect(); return { x: b.x + b.width / 2, y: b.y + 60 }; });
  await page.mouse.move(fc.x, fc.y);
  // Opening the view (its first layout) is not part of the zoom.
  await page.waitForFunction(() => window.__paint_ms.length > 0);
  await page.waitForTimeout(300);
  await page.evaluate(() => { window.__paint_ms = []; });
  await page.keyboard.down('Control');
  for (let i = 0; i < 30; i++) { await page.mouse.wheel(0, i < 15 ? -150 : 150); await page.waitForTimeout(16); }
  await page.keyboard.up('Control');
  const flamePaints = await page.evaluate(() => window.__paint_ms);
  // Interactions (#27): the longest main-thread task of each, from the
  // click until the page is still again (tasks under 50 ms are not
  // reported by the browser: "<50").
  const interact = async (what, act, settled) => {
    const profiled = await profiling(page, what);
    await page.evaluate(() => { window.__long = []; window.__t_act = performance.now(); });
    await act();
    if (settled) await settled();
    await page.waitForTimeout(700);
    await profiled.stop();
    const longest = await page.evaluate(() => Math.max(0, ...window.__long));
    interactions.push({ spans: n, interaction: what, 'longest task ms': longest ? longest.toFixed(0) : '<50' });
  };
  const tabTo = (name, ready) => interact(`${name} tab`, () => page.click(`[data-testid=view-${name}]`), ready);
  await interact('flame: merged', () => page.click('[data-testid=flame-mode-merged]'),
    () => page.waitForSelector('[data-testid=flame-canvas][data-mode=merged]:not([data-frames="0"])', { timeout: 120_000 }));
  await interact('flame: chart', () => page.click('[data-testid=flame-mode-chart]'), () => page.waitForSelector('[data-testid=flame-indexing]', { state: 'detached' }));
  await tabTo('map', () => page.waitForSelector('[data-testid=map-canvas][data-laying-out=false]'));
  await tabTo('stats', () => page.waitForSelector('[data-testid=stats-table]'));
  for (const group of ['service', 'operation', 'op']) await interact(`statistics: group by ${group}`, () => page.selectOption('[data-testid=stats-group]', group));
  await interact('statistics: sort by a column', () => page.click('[data-testid=stats-table] thead th:nth-child(3)'));
  await interact('statistics: filter', () => page.fill('[data-testid=stats-filter]', 'GET'));
  await tabTo('waterfall', () => page.waitForSelector('[data-testid=waterfall-canvas]'));
  await interact('find: a word', async () => { await page.fill('[data-testid=find-input]', 'GET'); await page.keyboard.press('Enter'); });
  await interact('find: no match', () => page.fill('[data-testid=find-input]', 'zzzz'));
  await page.fill('[data-testid=find-input]', '');
  for (const pill of ['errors', 'critical', 'slow']) {
    await interact(`pill: ${pill}`, () => page.click(`[data-testid=pill-${pill}]`));
    await page.click(`[data-testid=pill-${pill}]`);
  }
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? NaN);
  rows.push({
    spans: n, 'file MB': (r.bytes / 1e6).toFixed(1), 'JSON.parse ms': Number.isNaN(r.parse) ? 'impossible' : r.parse.toFixed(0), 'read+parse ms': Number.isNaN(r.readParse) ? 'impossible' : r.readParse.toFixed(0), 'wait ms': m.wait_ms.toFixed(0), 'read ms': m.read_ms.toFixed(0), 'decode ms': m.decode_ms.toFixed(0), parts: m.decode_parts, 'apply ms': m.apply_ms.toFixed(0),
    // From the worker's last part to the first paint.
    'after decode ms': (m.first_paint_ms - m.wait_ms - m.read_ms - m.decode_ms).toFixed(0),
    'first paint ms': m.first_paint_ms.toFixed(0), 'paint ÷ parse': (m.first_paint_ms / r.parse).toFixed(2), 'paint ÷ read+parse': (m.first_paint_ms / r.readParse).toFixed(2),
    'longest task ms': m.longest.toFixed(0),
    'frame p50 ms': pct(frames, 50).toFixed(1), 'frame p99 ms': pct(frames, 99).toFixed(1),
    'paint p99 ms': pct(paints, 99).toFixed(1), 'flame paint p50 ms': pct(flamePaints, 50).toFixed(1), 'flame paint p99 ms': pct(flamePaints, 99).toFixed(1),
    'flame index ms': index.ms.toFixed(0), 'flame index longest task ms': index.longest.toFixed(0),
    'JS heap MB': (heap / 1e6).toFixed(0), 'wasm MB': (m.wasm / 1e6).toFixed(0), 'load peak MB': ((memory.peak - memory.before) / 1e6).toFixed(0),
  });
  await page.context().close();
}
await browser.close();
server.close();
fs.rmSync(tmp, { recursive: true, force: true });

const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
const bundle = fs.readdirSync(dist).filter((f) => /\.(wasm|js)$/.test(f)).reduce((s, f) => s + gz(f), 0);
console.log(`format ${format}; bundle (wasm + js, gzip -9): ${(bundle / 1024).toFixed(0)} KB`);
console.table(rows);
console.table(interactions);
