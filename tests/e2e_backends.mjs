// End-to-end tests against real servers: Jaeger v2 (query API v1 and API v3)
// and Zipkin, fed by a program instrumented with the OpenTelemetry SDK
// (tests/backends/traffic.mjs). Every count the app shows is compared with
// what the program says it sent.
// Run: node tests/e2e_backends.mjs   (after `scripts/setup.sh --backends` and the release build;
// scripts/test.sh does both). Screenshots land in tests/out/.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { app, dist, out, pageListing, sendFile, startApp, stopApp, newPage, summary, tab, inkRatio, openSearch, addBackend, choose, search,
  openResult, scatterInk, watchLongTasks, longestTask } from './harness.mjs';
import { startJaeger, startZipkin } from './backends/servers.mjs';
import { sendTraffic } from './backends/traffic.mjs';

let jaeger, zipkin, sent;
const logDir = out;

before(async () => {
  // /hosted/: the page as a host serves it with both servers listed.
  await startApp((u, req, res) => {
    if (!u.pathname.startsWith('/hosted/')) return false;
    if (u.pathname !== '/hosted/') { sendFile(res, dist, u.pathname.slice('/hosted'.length)); return true; }
    res.writeHead(200, { 'content-type': 'text/html' }).end(pageListing([
      { name: 'Jaeger here', url: jaeger.queryUrl, kind: 'jaeger' }, { name: 'Zipkin here', url: zipkin.url, kind: 'zipkin' }]));
    return true;
  });
  const origin = app.base.replace(/\/$/, '');
  [jaeger, zipkin] = await Promise.all([startJaeger({ origin, logDir }), startZipkin({ logDir })]);
  console.log(`# real backends: Jaeger ${jaeger.version} (github.com/jaegertracing/jaeger/cmd/jaeger) at ${jaeger.queryUrl}, `
    + `Zipkin ${zipkin.version} (io.zipkin:zipkin-server) at ${zipkin.url}`);
  sent = await sendTraffic({ otlp: jaeger.otlpUrl, zipkin: zipkin.spansUrl });
  // Both servers take spans in batches: wait until every trace is stored whole.
  const until = Date.now() + 30_000;
  for (const t of sent) {
    for (;;) {
      const [j, z] = await Promise.all([
        fetch(`${jaeger.queryUrl}/api/traces/${t.traceId}`).then((r) => r.ok ? r.json() : null),
        fetch(`${zipkin.url}/api/v2/trace/${t.traceId}`).then((r) => r.ok ? r.json() : null),
      ]);
      if (j?.data?.[0]?.spans.length === t.spans && z?.length === t.spans) break;
      assert.ok(Date.now() < until, `trace ${t.traceId} (${t.root}, ${t.spans} spans) was not stored whole within 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  console.log(`# sent ${sent.length} traces, ${sent.reduce((n, t) => n + t.spans, 0)} spans, to both`);
});
after(async () => {
  await Promise.all([jaeger?.stop(), zipkin?.stop()]);
  await stopApp();
});

const checkouts = () => sent.filter((t) => t.root === 'GET /checkout');
const byId = (id) => sent.find((t) => t.traceId === id.toLowerCase().padStart(32, '0'));
const ids = (traces) => traces.map((t) => t.traceId).sort();
/** Result rows' trace ids as the backend spells them, made comparable. */
const norm = (list) => list.map((id) => id.toLowerCase().padStart(32, '0')).sort();
/** A duration between two of the checkouts' root durations, as the form takes it: splits them there. */
function splitAt(k) {
  const d = checkouts().map((t) => t.rootDurationUs).sort((a, b) => a - b);
  return Math.round((d[k - 1] + d[k]) / 2 / 1000);
}
const listed = (page, testid) => page.$$eval(`[data-testid=${testid}] option`, (o) => o.map((x) => x.value).filter(Boolean).sort());
/** The services the program sent, and each one's operations (`lower` for Zipkin, which lowercases names). */
function sentServices() {
  const ops = {};
  for (const t of sent) for (const [s, names] of Object.entries(t.operations)) for (const n of names) (ops[s] ??= new Set()).add(n);
  return ops;
}
/** Opens each listed result and checks its spans, errors and services against what was sent. */
async function checkOpened(page, results) {
  for (const id of results) {
    const s = await openResult(page, id);
    const t = byId(s.traceId);
    assert.ok(t, `an opened trace the program sent: ${s.traceId}`);
    assert.deepEqual({ spans: s.spans, errors: s.errors, services: s.services },
      { spans: t.spans, errors: t.errors, services: t.services.length }, `trace ${t.traceId} (${t.root})`);
  }
}
/** Rows of the results list marked as holding errors. */
const errorRows = (page) => page.$$eval('[data-testid=results-table] tbody tr.has-errors', (r) => r.map((x) => x.dataset.traceId));
/** A datetime-local value in UTC, `ms` from now. */
const utcField = (ms) => new Date(Date.now() + ms).toISOString().slice(0, 16);

describe('a real Jaeger v2, query API v1', () => {
  test('services and operations are the ones the program sent', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger' });
    const ops = sentServices();
    // The loaded traces' services are listed until Jaeger's answer replaces them.
    await page.waitForFunction((want) => [...document.querySelectorAll('[data-testid=search-service] option')]
      .map((o) => o.value).filter(Boolean).sort().join('|') === want, Object.keys(ops).sort().join('|')).catch(() => {});
    await choose(page, 'search-service', 'frontend');
    assert.deepEqual(await listed(page, 'search-service'), Object.keys(ops).sort());
    for (const service of ['frontend', 'payment', 'inventory']) {
      await choose(page, 'search-service', service);
      await page.waitForFunction((n) => +document.querySelector('[data-testid=search-operation]').dataset.count === n, ops[service].size);
      assert.deepEqual(await listed(page, 'search-operation'), [...ops[service]].sort(), service);
    }
    assert.deepEqual(page.errors, []);
  });

  test('a search finds every checkout: list, scatter plot and each opened trace match what was sent', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger' });
    const results = await search(page, { service: 'frontend', operation: 'GET /checkout' });
    assert.deepEqual(norm(results), ids(checkouts()));
    // Failed checkouts are marked in the list and drawn red on the plot.
    const failed = checkouts().filter((t) => t.errors > 0);
    assert.deepEqual(norm(await errorRows(page)), ids(failed));
    const dots = await page.$eval('[data-testid=results-scatter]', (c) => c.dataset.dots.split(';').length);
    assert.equal(dots, checkouts().length, 'one dot per trace');
    const [ink, red] = await scatterInk(page);
    assert.ok(ink > 50 && red > 10, `dots drawn (${ink} px, ${red} red)`);
    await page.screenshot({ path: path.join(out, 'real-jaeger-search.png') });
    await checkOpened(page, results);
    await tab(page, 'waterfall');
    assert.ok(await inkRatio(page) > 0.01, 'the waterfall is drawn');
    assert.deepEqual(page.errors, []);
  });

  test('tags: http.response.status_code=500, alone and with another tag, finds the declined cards', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger' });
    const with500 = sent.filter((t) => t.statusCodes.includes(500));
    assert.equal(with500.length, 2, 'the program declined two cards');
    assert.deepEqual(norm(await search(page, { service: 'frontend', tags: 'http.response.status_code=500' })), ids(with500));
    // Two tags at once: the payment server's own 500s.
    assert.deepEqual(norm(await search(page, { service: 'payment', tags: 'http.response.status_code=500 url.path=/charge' })), ids(with500));
    assert.deepEqual(page.errors, []);
  });

  test('min and max duration split the checkouts where the program says', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger' });
    const cut = splitAt(5);
    const slow = checkouts().filter((t) => t.rootDurationUs >= cut * 1000);
    const fast = checkouts().filter((t) => t.rootDurationUs <= cut * 1000);
    assert.ok(slow.length >= 1 && fast.length >= 1);
    assert.deepEqual(norm(await search(page, { service: 'frontend', operation: 'GET /checkout', min: `${cut}ms` })), ids(slow));
    assert.deepEqual(norm(await search(page, { min: '', max: `${cut}ms` })), ids(fast));
    assert.deepEqual(page.errors, []);
  });

  test('lookback, a custom range and the limit', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger' });
    const report = sent.find((t) => t.root === 'nightly report');
    // The report ran three hours ago: not in the last hour, in the last 6 hours.
    await page.selectOption('[data-testid=search-lookback]', { label: 'Last hour' });
    assert.deepEqual(await search(page, { service: 'reports' }), []);
    assert.match(await page.textContent('[data-testid=search-notice]'), /no traces found/);
    await page.selectOption('[data-testid=search-lookback]', { label: 'Last 6 hours' });
    assert.deepEqual(norm(await search(page, {})), [report.traceId]);
    // A custom range in UTC around it, then one that ends before it.
    await page.check('[data-testid=search-utc]');
    await page.selectOption('[data-testid=search-lookback]', { label: 'Custom range' });
    await page.fill('[data-testid=search-from]', utcField(-3.5 * 3600_000));
    await page.fill('[data-testid=search-to]', utcField(-2.5 * 3600_000));
    assert.deepEqual(norm(await search(page, {})), [report.traceId]);
    await page.fill('[data-testid=search-to]', utcField(-3.2 * 3600_000));
    assert.deepEqual(await search(page, {}), []);
    // The limit: three of the checkouts.
    await page.selectOption('[data-testid=search-lookback]', { label: 'Last hour' });
    const three = await search(page, { service: 'frontend', limit: 3 });
    assert.equal(three.length, 3);
    assert.ok(norm(three).every((id) => ids(checkouts()).includes(id)));
    assert.deepEqual(page.errors, []);
  });

  test('the 10,000-span trace by its id: streamed to the worker, no long task, counts as sent', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger' });
    const big = sent.find((t) => t.spans === 10_000);
    const bodyBytes = (await (await fetch(`${jaeger.queryUrl}/api/traces/${big.traceId}`)).arrayBuffer()).byteLength;
    // Every progress report the page shows while the answer comes in.
    await page.evaluate(() => {
      window.progressBytes = [];
      new MutationObserver(() => {
        const p = document.querySelector('[data-testid=load-progress]');
        if (p) window.progressBytes.push(+p.dataset.bytes);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-bytes'] });
    });
    await watchLongTasks(page);
    await page.fill('[data-testid=search-trace-id]', big.traceId);
    await page.press('[data-testid=search-trace-id]', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=trace-summary]')?.dataset.spans === '10000');
    const s = await summary(page);
    assert.deepEqual({ spans: s.spans, errors: s.errors, services: s.services }, { spans: 10_000, errors: 0, services: 2 });
    const seen = await page.evaluate(() => window.progressBytes);
    assert.ok(seen.length > 0 && Math.max(...seen) <= bodyBytes, `progress shown in bytes of the ${bodyBytes}-byte answer: ${seen.slice(-3)}`);
    const longest = await longestTask(page);
    assert.ok(longest < 100, `longest task ${longest} ms`);
    await tab(page, 'flame');
    assert.ok(await inkRatio(page, 'flame-canvas') > 0.01, 'the flame chart is drawn');
    assert.deepEqual(page.errors, []);
  });
});

describe('insights on real OpenTelemetry traces', () => {
  test('the N+1 loop of SELECTs and the retried payment call are found, with the counts the program made', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger' });
    await search(page, { service: 'frontend', operation: 'GET /checkout' });
    const flaky = checkouts().find((t) => t.statusCodes.includes(503));
    const selects = flaky.spanCounts['inventory SELECT inventory'];
    assert.ok(selects >= 3, 'the retried order has an N+1 loop too');
    await openResult(page, flaky.traceId);
    await page.waitForSelector('[data-testid=insights]');
    const items = await page.$$eval('[data-testid=insights-trace] li', (l) => l.map((x) => ({ kind: x.dataset.kind, count: +x.dataset.count, text: x.textContent })));
    const nPlusOne = items.find((i) => i.kind === 'n_plus_one');
    assert.equal(nPlusOne?.count, selects, JSON.stringify(items));
    assert.match(nPlusOne.text, new RegExp(`N\\+1: inventory GET /items calls inventory SELECT inventory ${selects}×`));
    const retry = items.find((i) => i.kind === 'retry');
    assert.match(retry?.text ?? '', /^Retry: frontend POST \/charge 2× under frontend GET \/checkout; 1 failed/, JSON.stringify(items));
    // The program awaits its cart, its one charge and its shipping quote in turn: three serial calls
    // (the retried order's two charges are its retry, and the two calls left are too few).
    assert.equal(items.find((i) => i.kind === 'serial_calls'), undefined, JSON.stringify(items));
    // A checkout with no retry has none listed.
    const calm = checkouts().find((t) => t.errors === 0 && (t.spanCounts['inventory SELECT inventory'] ?? 0) >= 3);
    await openResult(page, calm.traceId);
    await page.waitForFunction((id) => document.querySelector('[data-testid=trace-summary]').dataset.traceId.endsWith(id), calm.traceId.slice(-16));
    const found = await page.$$eval('[data-testid=insights-trace] li', (l) => l.map((x) => [x.dataset.kind, +x.dataset.count, x.textContent]));
    // Its N+1, and the three awaited calls one after another (the SDK starts each span at a whole
    // millisecond, up to 1 ms early, which the detector allows for).
    assert.ok(found.some((f) => f[0] === 'n_plus_one'), JSON.stringify(found));
    // A server span may end a few µs after its client parent (its 'finish' runs after the client
    // read the answer, on the one clock of this program): the detector cannot tell that from
    // skew and says so under a millisecond (see #25); nothing else is claimed.
    const afterItsParent = (f) => f[0] === 'clock_skew' && /by up to [\d.]+(ns|µs)$/.test(f[2]);
    assert.ok(found.every((f) => f[0] === 'n_plus_one' || f[0] === 'serial_calls' || afterItsParent(f)), JSON.stringify(found));
    const serial = found.find((f) => f[0] === 'serial_calls');
    assert.equal(serial?.[1], 3, JSON.stringify(found));
    assert.match(serial[2], /^Serial calls: 3 calls under frontend GET \/checkout ran one after another/);
    await page.screenshot({ path: path.join(out, 'real-insights.png') });
    assert.deepEqual(page.errors, []);
  });
});

describe('a real Jaeger v2, API v3', () => {
  test('services, operations, a search with tags (matched in the page) and every result as sent', async () => {
    const page = await newPage({ dark: true });
    await openSearch(page);
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger-v3' });
    await choose(page, 'search-service', 'payment');
    assert.deepEqual(await listed(page, 'search-service'), Object.keys(sentServices()).sort());
    await page.waitForFunction(() => +document.querySelector('[data-testid=search-operation]').dataset.count > 0);
    assert.deepEqual(await listed(page, 'search-operation'), [...sentServices().payment].sort());
    const all = await search(page, { service: 'frontend', operation: 'GET /checkout' });
    assert.deepEqual(norm(all), ids(checkouts()));
    const declined = await search(page, { service: 'payment', operation: '', tags: 'http.response.status_code=500' });
    assert.deepEqual(norm(declined), ids(sent.filter((t) => t.statusCodes.includes(500))));
    await checkOpened(page, declined);
    // error=true, matched in the page against the spans' status.
    const paymentErrors = sent.filter((t) => t.operations.payment && t.errors > 0);
    assert.equal(paymentErrors.length, 3, 'two declined cards and one retried call');
    assert.deepEqual(norm(await search(page, { tags: 'error=true' })), ids(paymentErrors));
    // The dispatch trace's links to the checkouts it ships come through v3 (OTLP).
    const dispatch = sent.find((t) => t.root === 'dispatch batch');
    await page.fill('[data-testid=search-trace-id]', dispatch.traceId);
    await page.press('[data-testid=search-trace-id]', 'Enter');
    await page.waitForFunction((n) => document.querySelector('[data-testid=trace-summary]')?.dataset.spans === String(n), dispatch.spans);
    assert.equal((await summary(page)).traceId.toLowerCase(), dispatch.traceId);
    await page.screenshot({ path: path.join(out, 'real-jaeger-v3.png') });
    assert.deepEqual(page.errors, []);
  });
});

describe('a real Zipkin', () => {
  test('services and span names (lowercased by Zipkin), tags, durations, limit, and every result as sent', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, zipkin.url, { kind: 'zipkin' });
    await choose(page, 'search-service', 'payment');
    const ops = sentServices();
    assert.deepEqual(await listed(page, 'search-service'), Object.keys(ops).sort());
    await page.waitForFunction(() => +document.querySelector('[data-testid=search-operation]').dataset.count > 0);
    assert.deepEqual(await listed(page, 'search-operation'), [...ops.payment].map((n) => n.toLowerCase()).sort());
    const all = await search(page, { service: 'frontend', operation: 'get /checkout' });
    assert.deepEqual(norm(all), ids(checkouts()));
    assert.deepEqual(norm(await errorRows(page)), ids(checkouts().filter((t) => t.errors > 0)));
    await checkOpened(page, all);
    const with500 = sent.filter((t) => t.statusCodes.includes(500));
    assert.deepEqual(norm(await search(page, { operation: '', tags: 'http.response.status_code=500' })), ids(with500));
    // Zipkin keeps the status as otel.status_code (and the message, when there is one, as `error`).
    const paymentErrors = sent.filter((t) => t.operations.payment && t.errors > 0);
    await choose(page, 'search-service', 'payment');
    assert.deepEqual(norm(await search(page, { tags: 'otel.status_code=ERROR' })), ids(paymentErrors));
    assert.deepEqual(norm(await search(page, { tags: 'error="card declined"' })), ids(with500));
    const cut = splitAt(5);
    await choose(page, 'search-service', 'frontend');
    assert.deepEqual(norm(await search(page, { operation: 'get /checkout', tags: '', min: `${cut}ms` })),
      ids(checkouts().filter((t) => t.rootDurationUs >= cut * 1000)));
    // A maximum alone (Zipkin refuses it without a minimum): Zipkin keeps a
    // trace when any span of the service is that short, and every checkout
    // has short frontend calls.
    const short = checkouts().filter((t) => t.shortestUs.frontend <= cut * 1000);
    assert.equal(short.length, checkouts().length);
    assert.deepEqual(norm(await search(page, { min: '', max: `${cut}ms` })), ids(short));
    assert.equal((await search(page, { max: '', limit: 4 })).length, 4);
    assert.deepEqual(page.errors, []);
  });

  test('the 10,000-span trace by its id, and the nightly report only in its time range', async () => {
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, zipkin.url, { kind: 'zipkin' });
    const big = sent.find((t) => t.spans === 10_000);
    await page.fill('[data-testid=search-trace-id]', big.traceId);
    await page.press('[data-testid=search-trace-id]', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=trace-summary]')?.dataset.spans === '10000');
    assert.equal((await summary(page)).services, 2);
    const report = sent.find((t) => t.root === 'nightly report');
    await page.selectOption('[data-testid=search-lookback]', { label: 'Last hour' });
    assert.deepEqual(await search(page, { service: 'reports' }), []);
    await page.selectOption('[data-testid=search-lookback]', { label: 'Last 6 hours' });
    assert.deepEqual(norm(await search(page, {})), [report.traceId]);
    assert.deepEqual(page.errors, []);
  });
});

describe('a host that lists its backends in the page', () => {
  test('they are in the settings and ready to search; one removed stays removed', async () => {
    const page = await newPage({ url: 'hosted/' });
    await openSearch(page);
    const kinds = () => page.$$eval('[data-testid=backend-list] li', (l) => l.map((x) => x.dataset.kind));
    assert.deepEqual(await kinds(), ['jaeger', 'zipkin']);
    // The first is chosen: its services are there without a click.
    await page.waitForFunction(() => +document.querySelector('[data-testid=search-service]').dataset.count > 0);
    assert.deepEqual(await listed(page, 'search-service'), Object.keys(sentServices()).sort());
    assert.deepEqual(norm(await search(page, { service: 'frontend', operation: 'GET /checkout' })), ids(checkouts()));
    await page.evaluate(() => { document.querySelector('.backend-settings').open = true; });
    await page.click('[data-testid=backend-list] li:first-child button');
    // The page again, as first opened (still listing both).
    await page.goto(`${app.base}hosted/`);
    await page.waitForSelector('.app[data-ready=true]');
    await openSearch(page);
    assert.deepEqual(await kinds(), ['zipkin']);
    assert.deepEqual(page.errors, []);
  });
});

describe('a server that stops', () => {
  test('stopped in the middle of a session: a clear message, what was open stays, the other server still answers', async () => {
    // A Jaeger of this test's own, so the others keep theirs; under a base
    // path, as behind a reverse proxy (its kind is told from the path).
    const origin = app.base.replace(/\/$/, '');
    const doomed = await startJaeger({ origin, logDir: out, basePath: '/jaeger' });
    const itsOwn = (await sendTraffic({ otlp: doomed.otlpUrl, round: 1 })).filter((t) => t.root === 'GET /checkout');
    const page = await newPage();
    await openSearch(page);
    await addBackend(page, `${doomed.queryUrl}/`);
    assert.equal(await page.$eval('[data-testid=backend-list] li', (e) => e.dataset.kind), 'jaeger');
    assert.equal((await search(page, { service: 'frontend', operation: 'GET /checkout' })).length, itsOwn.length);
    const before = await summary(page);
    await doomed.stop();
    await search(page, {});
    const said = await page.textContent('[data-testid=search-error]');
    assert.ok(said.startsWith(`no answer from ${new URL(doomed.queryUrl).origin}: it is unreachable`), said);
    assert.ok(said.includes(`cors: allowed_origins: ["${origin}"]`), said);
    assert.equal(await page.$eval('[data-testid=search-results]', (e) => +e.dataset.count), 0, 'no rows of the search before');
    assert.deepEqual(await summary(page), before, 'the open trace stays');
    await addBackend(page, jaeger.queryUrl, { kind: 'jaeger' });
    const results = await search(page, { service: 'frontend', operation: 'GET /checkout' });
    assert.deepEqual(norm(results), ids(checkouts()));
    assert.deepEqual(page.errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
  });
});
