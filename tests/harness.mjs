// What the end-to-end suites share: serving the release build, the browser,
// opening a page, reading what the app shows, and driving the search panel.
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterCharset } from '../scripts/page_meta.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const dist = path.resolve(root, process.env.DIST || path.join('target', 'test-dist'));
export const out = path.join(root, 'tests', 'out');
fs.mkdirSync(out, { recursive: true });

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css',
  '.json': 'application/json', '.svg': 'image/svg+xml' };

/** Answers `req` with the file under `dir` that its path names (index.html for folders). */
export function sendFile(res, dir, rel) {
  let p = path.join(dir, decodeURIComponent(rel));
  if (!p.startsWith(dir)) { res.writeHead(403).end(); return; }
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'index.html');
  if (!fs.existsSync(p)) { res.writeHead(404).end('not found'); return; }
  res.writeHead(200, { 'content-type': MIME[path.extname(p)] || 'application/octet-stream' });
  fs.createReadStream(p).pipe(res);
}

/**
 * A server on 127.0.0.1 (a free port unless given) for the release build in
 * `dir`; `special`
 * answers the paths it knows and returns true. It stops with the tests.
 */
export function serveApp(special = () => false, { dir = dist, port = 0 } = {}) {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (!special(u, req, res)) sendFile(res, dir, u.pathname);
  });
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

/**
 * The release build's page with `backends` ([{name, url, kind}]) listed in
 * it, as a host that serves the app lists its own (the app adds them to its
 * settings).
 */
export function pageListing(backends, dir = dist) {
  const content = JSON.stringify(backends).replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const file = path.join(dir, 'index.html');
  return afterCharset(fs.readFileSync(file, 'utf8'), `<meta name="tracescope-backends" content="${content}" />`, file);
}

/** The browser and the app's address, set by [`startApp`]. */
export const app = { browser: null, base: '', server: null };

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Serves the release build and starts headless Chromium. */
export async function startApp(special) {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), `${dist} is missing: run \`trunk build --release --dist target/test-dist\` first`);
  // A page built by `trunk serve` reloads itself through a WebSocket to Trunk:
  // never what the tests (or a user's host) should serve.
  const index = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  assert.ok(!/__trunk_address__|well-known\/trunk/.test(index), `${dist}/index.html holds Trunk's auto-reload script`);
  app.server = await serveApp(special);
  app.base = `http://127.0.0.1:${app.server.address().port}/`;
  app.browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
}
export async function stopApp() {
  await app.browser?.close();
  app.server?.close();
}

/** A page in a fresh context (a phone's touch screen with `touch`); errors on the page collect in `page.errors`. */
export async function newPage({ dark = false, url = '', wait = true, viewport = { width: 1440, height: 900 }, touch = false } = {}) {
  const ctx = await app.browser.newContext({ viewport, colorScheme: dark ? 'dark' : 'light', hasTouch: touch, isMobile: touch });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.errors = errors;
  await page.goto(url.startsWith('http') ? url : app.base + url);
  // Ready: the first traces (the demo traces or the link's) are loaded and the link's state applied.
  if (wait) await page.waitForSelector('.app[data-ready=true] [data-testid=trace-summary]');
  return page;
}

/** The open trace as its summary states it. */
export async function summary(page) {
  return page.$eval('[data-testid=trace-summary]', (e) => ({
    traceId: e.dataset.traceId, spans: +e.dataset.spans, services: +e.dataset.services,
    errors: +e.dataset.errors, durationUs: +e.dataset.durationUs,
  }));
}

/** Switches to a view by its tab, as a click would. */
export async function tab(page, name) {
  await page.click(`[data-testid=view-${name}]`);
  await page.waitForSelector(`[data-testid=view-${name}][aria-selected=true]`);
  // The flame chart is drawn once its level-of-detail index is made.
  if (name === 'flame') await page.waitForSelector('[data-testid=flame-indexing]', { state: 'detached' });
  // The map is laid out in later tasks.
  if (name === 'map') await page.waitForSelector('[data-testid=map-canvas][data-laying-out=false]');
  if (name === 'stats') await statsReady(page);
}

/** Waits until the statistics' rows are made (a part per task). */
export async function statsReady(page) {
  await page.waitForSelector('[data-testid=stats-table][aria-busy=false]');
}

/** Share of canvas pixels that differ from the background (a pixel near the bottom-left corner). */
export async function inkRatio(page, testid = 'waterfall-canvas') {
  return page.$eval(`[data-testid=${testid}]`, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const bg = [d[(c.width * (c.height - 2) + 2) * 4], d[(c.width * (c.height - 2) + 2) * 4 + 1], d[(c.width * (c.height - 2) + 2) * 4 + 2]];
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 30) ink++;
    return ink / (d.length / 4);
  });
}

/** From now on, the page records its longest task ([`longestTask`]). */
export const watchLongTasks = (page) => page.evaluate(() => {
  window.longest = 0;
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longest = Math.max(window.longest, e.duration); })
    .observe({ type: 'longtask' });
});
/** The longest task in ms since [`watchLongTasks`]. */
export const longestTask = (page) => page.evaluate(() => window.longest);

// The search panel.

export async function openSearch(page) {
  await page.click('[data-testid=search-button]');
  await page.waitForSelector('[data-testid=search-panel]');
}
export async function addBackend(page, url, { kind, timeout } = {}) {
  await page.evaluate(() => { document.querySelector('.backend-settings').open = true; });
  await page.fill('[data-testid=backend-url]', url);
  if (kind) await page.selectOption('[data-testid=backend-kind]', kind);
  if (timeout) await page.fill('[data-testid=backend-timeout]', String(timeout));
  await page.click('[data-testid=backend-add]');
}
/** Picks `value` in a list once the list has been filled. */
export async function choose(page, testid, value) {
  await page.waitForFunction((t) => +document.querySelector(`[data-testid=${t}]`).dataset.count > 0, testid);
  await page.selectOption(`[data-testid=${testid}]`, value);
}
/** Fills the form, searches, and returns the trace ids of the results (none on an error or notice). */
export async function search(page, { service, operation, tags, min, max, limit }) {
  if (service) await choose(page, 'search-service', service);
  // '' is "any".
  if (operation === '') await page.selectOption('[data-testid=search-operation]', '');
  else if (operation) await choose(page, 'search-operation', operation);
  if (tags !== undefined) await page.fill('[data-testid=search-tags]', tags);
  if (min !== undefined) await page.fill('[data-testid=search-min]', min);
  if (max !== undefined) await page.fill('[data-testid=search-max]', max);
  if (limit !== undefined) await page.fill('[data-testid=search-limit]', String(limit));
  const answered = await page.$eval('[data-testid=search-panel]', (e) => +e.dataset.answered);
  await page.click('[data-testid=search-submit]');
  await page.waitForFunction((n) => +document.querySelector('[data-testid=search-panel]').dataset.answered > n, answered)
    .catch(async (e) => {
      const state = await page.evaluate(() => ['search-url', 'search-error', 'search-notice', 'load-progress-text']
        .map((t) => `${t}: ${document.querySelector(`[data-testid=${t}]`)?.textContent ?? '(none)'}`).join('; '));
      throw new Error(`the search was not answered (${state})`, { cause: e });
    });
  return page.$$eval('[data-testid=results-table] tbody tr', (rows) => rows.map((r) => r.dataset.traceId));
}
/** Opens a result by clicking its row; returns the trace summary once it shows that trace. */
export async function openResult(page, id) {
  const before = (await summary(page)).traceId;
  await page.click(`[data-testid=results-table] tbody tr[data-trace-id="${id}"] td:nth-child(2)`);
  // Another trace opens, or it was open already (the search replaced the demo traces).
  await page.waitForFunction(([b, i]) => {
    const now = document.querySelector('[data-testid=trace-summary]')?.dataset.traceId || '';
    return now !== b || now.toLowerCase().endsWith(i.toLowerCase());
  }, [before, id]);
  return summary(page);
}
/** Dots drawn on the scatter plot: [any ink, red (error) ink]. */
export const scatterInk = (page) => page.$eval('[data-testid=results-scatter]', (c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const bg = [d[0], d[1], d[2]];
  let ink = 0, red = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 30) ink++;
    if (d[i] > 200 && d[i] - d[i + 1] > 120 && d[i] - d[i + 2] > 120) red++;
  }
  return [ink, red];
});
