// Real traffic for real backends: six services instrumented with the
// OpenTelemetry SDK call each other over HTTP on loopback, and every span is
// exported as OTLP to Jaeger and as Zipkin v2 JSON to Zipkin. What was sent
// (trace ids, span and error counts, services, operations, durations) is
// returned and written out, for the tests to compare with what the app shows.
//
// The traffic holds what a person looks for in an incident:
// - checkouts: frontend → cart → inventory, payment, shipping, each over HTTP
//   with W3C trace context; shipping is slower for each order, so the
//   checkouts' durations spread out;
// - an N+1 loop: inventory runs one SELECT per item of the cart;
// - a retried call: payment answers 503 once (an error with no status
//   message), the frontend calls again and it succeeds;
// - a declined card: payment fails with 500 and the status message
//   "card declined", with an exception event; the error goes up to the root;
// - links: a shipping dispatch trace links to the checkouts it ships;
// - one trace of exactly 10,000 spans (a catalog import);
// - a nightly report that ran three hours ago (for the time range).
//
// Run alone: node tests/backends/traffic.mjs --otlp URL --zipkin URL [--out FILE] [--every SECONDS]
import http from 'node:http';
import fs from 'node:fs';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';

const propagator = new W3CTraceContextPropagator();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hrToUs = ([s, ns]) => s * 1_000_000 + Math.floor(ns / 1000);

/** Every span each service ended, as the SDK handed it to the exporters. */
class Recorder {
  constructor() { this.spans = []; }
  onStart() {}
  onEnd(span) {
    this.spans.push({
      traceId: span.spanContext().traceId, spanId: span.spanContext().spanId,
      parentId: span.parentSpanContext?.spanId ?? null,
      service: span.resource.attributes['service.name'], name: span.name,
      startUs: hrToUs(span.startTime), endUs: hrToUs(span.endTime),
      error: span.status.code === SpanStatusCode.ERROR, message: span.status.message ?? '',
      attributes: span.attributes, links: span.links.length, events: span.events.map((e) => e.name),
    });
  }
  forceFlush() { return Promise.resolve(); }
  shutdown() { return Promise.resolve(); }
}

/** One tracer provider per service, each exporting to both backends (to Zipkin only when given). */
function providers(names, { otlp, zipkin }, recorder) {
  const batch = { maxQueueSize: 40_000, maxExportBatchSize: 2_000, scheduledDelayMillis: 200 };
  return Object.fromEntries(names.map((name) => [name, new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': name, 'service.version': '1.4.2', 'deployment.environment.name': 'test' }),
    spanProcessors: [
      recorder,
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: otlp }), ...batch }),
      ...(zipkin ? [new BatchSpanProcessor({ exporter: new ZipkinExporter({ url: zipkin }), ...batch })] : []),
    ],
  })]));
}

/** An HTTP service on loopback whose handler runs inside a SERVER span. */
function service(tracer, routes) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer.startSpan(`${req.method} ${url.pathname}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': url.pathname, 'url.query': url.search.slice(1) },
    }, parent);
    const ctx = trace.setSpan(parent, span);
    const [status, body, message] = await routes[url.pathname](ctx, url.searchParams);
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR, ...(message ? { message } : {}) });
      if (message) span.recordException({ name: 'PaymentError', message });
    }
    span.end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** An HTTP call from `tracer`'s service, in a CLIENT span that carries the trace context. */
async function call(tracer, ctx, method, port, pathAndQuery) {
  const path = pathAndQuery.split('?')[0];
  const span = tracer.startSpan(`${method} ${path}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': method, 'server.address': '127.0.0.1', 'server.port': port, 'url.full': `http://127.0.0.1:${port}${pathAndQuery}` },
  }, ctx);
  const headers = {};
  propagator.inject(trace.setSpan(ctx, span), headers, defaultTextMapSetter);
  const r = await fetch(`http://127.0.0.1:${port}${pathAndQuery}`, { method, headers });
  const body = await r.json();
  span.setAttribute('http.response.status_code', r.status);
  if (r.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  return { status: r.status, body };
}

/** A span of `tracer`'s that does nothing but take `ms`. */
async function work(tracer, ctx, name, ms, attributes = {}, kind = SpanKind.INTERNAL) {
  const span = tracer.startSpan(name, { kind, attributes }, ctx);
  await sleep(ms);
  span.end();
}

const SERVICES = ['frontend', 'cart', 'inventory', 'payment', 'shipping', 'catalog-importer', 'reports'];

/** Starts the services; `run(order)` makes one checkout trace. */
async function startShop(t) {
  const inventory = await service(t.inventory, {
    '/items': async (ctx, q) => {
      // N+1: one query per item instead of one for all.
      for (let i = 0; i < Number(q.get('n')); i++) {
        await work(t.inventory, ctx, 'SELECT inventory', 1,
          { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT qty FROM inventory WHERE sku = $1' }, SpanKind.CLIENT);
      }
      return [200, { ok: true }];
    },
  });
  const cart = await service(t.cart, {
    '/cart': async (ctx, q) => {
      await work(t.cart, ctx, 'cart.load', 2);
      await call(t.cart, ctx, 'GET', inventory.address().port, `/items?n=${q.get('items')}`);
      return [200, { ok: true }];
    },
  });
  const attempts = new Map();
  const payment = await service(t.payment, {
    '/charge': async (ctx, q) => {
      const order = q.get('order');
      attempts.set(order, (attempts.get(order) ?? 0) + 1);
      await work(t.payment, ctx, 'fraud.check', 3);
      if (q.get('card') === 'declined') return [500, { error: 'card declined' }, 'card declined'];
      if (q.get('card') === 'flaky' && attempts.get(order) === 1) return [503, { error: 'unavailable' }];
      return [200, { ok: true }];
    },
  });
  const shipping = await service(t.shipping, {
    '/quote': async (ctx, q) => {
      await work(t.shipping, ctx, 'rates.lookup', Number(q.get('delay')));
      return [200, { ok: true }];
    },
  });
  const frontend = await service(t.frontend, {
    '/checkout': async (ctx, q) => {
      const order = q.get('order');
      await call(t.frontend, ctx, 'GET', cart.address().port, `/cart?items=${q.get('items')}`);
      let paid = await call(t.frontend, ctx, 'POST', payment.address().port, `/charge?order=${order}&card=${q.get('card')}`);
      // A 503 is retried once.
      if (paid.status === 503) paid = await call(t.frontend, ctx, 'POST', payment.address().port, `/charge?order=${order}&card=${q.get('card')}`);
      if (paid.status !== 200) return [500, { error: 'payment failed' }, `payment failed: ${paid.body.error}`];
      await call(t.frontend, ctx, 'POST', shipping.address().port, `/quote?delay=${q.get('delay')}`);
      return [200, { ok: true }];
    },
  });
  const servers = [inventory, cart, payment, shipping, frontend];
  return {
    checkout: (order, { items, card, delay }) => fetch(`http://127.0.0.1:${frontend.address().port}/checkout?order=${order}&items=${items}&card=${card}&delay=${delay}`).then((r) => r.json()),
    close: () => servers.forEach((s) => s.close()),
  };
}

/** A dispatch trace in shipping that links to the checkouts it ships (no parent, only links). */
function dispatch(t, checkoutRoots) {
  const span = t.shipping.startSpan('dispatch batch', {
    kind: SpanKind.CONSUMER, links: checkoutRoots.map((context) => ({ context, attributes: { 'link.reason': 'ships order' } })),
    attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': checkoutRoots.length },
  }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, span);
  for (let i = 0; i < checkoutRoots.length; i++) t.shipping.startSpan('label.print', {}, ctx).end();
  span.end();
}

/** One trace of exactly 10,000 spans: an import root, 99 chunks of 100 row upserts. */
function bigImport(t) {
  const t0 = Date.now() - 60_000;
  const root = t.importer.startSpan('import catalog', { startTime: t0, attributes: { 'catalog.rows': 9_900 } }, ROOT_CONTEXT);
  const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
  for (let c = 0; c < 99; c++) {
    const chunkStart = t0 + c * 500;
    const chunk = t.importer.startSpan('import chunk', { startTime: chunkStart, attributes: { 'chunk.index': c } }, rootCtx);
    const chunkCtx = trace.setSpan(rootCtx, chunk);
    for (let r = 0; r < 100; r++) {
      t.inventory.startSpan('upsert row', { kind: SpanKind.CLIENT, startTime: chunkStart + r * 4, attributes: { 'db.system.name': 'postgresql', 'row.index': c * 100 + r } }, chunkCtx)
        .end(chunkStart + r * 4 + 3);
    }
    chunk.end(chunkStart + 420);
  }
  root.end(t0 + 99 * 500 + 100);
}

/** A report trace of three spans that ran three hours ago. */
function nightlyReport(t) {
  const t0 = Date.now() - 3 * 3600_000;
  const root = t.reports.startSpan('nightly report', { startTime: t0 }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  t.reports.startSpan('query sales', { kind: SpanKind.CLIENT, startTime: t0 + 5 }, ctx).end(t0 + 900);
  t.reports.startSpan('render pdf', { startTime: t0 + 900 }, ctx).end(t0 + 1400);
  root.end(t0 + 1500);
}

/** What the spans recorded say about each trace, as the tests compare it. */
export function summarize(spans) {
  const byTrace = new Map();
  for (const s of spans) {
    if (!byTrace.has(s.traceId)) byTrace.set(s.traceId, []);
    byTrace.get(s.traceId).push(s);
  }
  return [...byTrace].map(([traceId, list]) => {
    const root = list.find((s) => !s.parentId || !list.some((p) => p.spanId === s.parentId));
    const operations = {};
    for (const s of list) (operations[s.service] ??= new Set()).add(s.name);
    const start = Math.min(...list.map((s) => s.startUs));
    const end = Math.max(...list.map((s) => s.endUs));
    return {
      traceId, root: root.name, rootService: root.service, spans: list.length,
      errors: list.filter((s) => s.error).length,
      errorMessages: [...new Set(list.filter((s) => s.error && s.message).map((s) => s.message))].sort(),
      statusCodes: [...new Set(list.map((s) => s.attributes['http.response.status_code']).filter(Boolean))].sort(),
      services: Object.keys(operations).sort(),
      // Spans per "service operation".
      spanCounts: list.reduce((m, s) => { m[`${s.service} ${s.name}`] = (m[`${s.service} ${s.name}`] ?? 0) + 1; return m; }, {}),
      operations: Object.fromEntries(Object.entries(operations).map(([k, v]) => [k, [...v].sort()])),
      // Each service's shortest span: Zipkin matches durations against any span of the service.
      shortestUs: Object.fromEntries(Object.keys(operations).map((svc) => [svc, Math.min(...list.filter((s) => s.service === svc).map((s) => s.endUs - s.startUs))])),
      startUs: start, durationUs: end - start, rootDurationUs: root.endUs - root.startUs, links: list.reduce((n, s) => n + s.links, 0),
    };
  });
}

/** The checkouts one round sends: order, items (N+1 queries), card, shipping delay in ms. */
export const ORDERS = [
  ['o-1', 3, 'ok', 5], ['o-2', 5, 'ok', 20], ['o-3', 8, 'flaky', 35], ['o-4', 2, 'ok', 50],
  ['o-5', 4, 'declined', 0], ['o-6', 6, 'ok', 80], ['o-7', 3, 'ok', 110], ['o-8', 12, 'ok', 140],
  ['o-9', 4, 'declined', 0], ['o-10', 2, 'ok', 200],
];

/**
 * Sends one round of traffic to both backends and waits until it is
 * exported. Returns every trace sent (see `summarize`).
 */
export async function sendTraffic({ otlp, zipkin, round = 0 }) {
  const recorder = new Recorder();
  const p = providers(SERVICES, { otlp, zipkin }, recorder);
  const t = Object.fromEntries(SERVICES.map((name) => [name === 'catalog-importer' ? 'importer' : name, p[name].getTracer('tracescope-traffic', '1.0.0')]));
  const shop = await startShop(t);
  try {
    for (const [order, items, card, delay] of ORDERS) await shop.checkout(`${order}.${round}`, { items, card, delay });
  } finally {
    shop.close();
  }
  const roots = recorder.spans.filter((s) => s.name === 'GET /checkout' && s.service === 'frontend' && !s.parentId);
  dispatch(t, roots.slice(0, 4).map((s) => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: 1 })));
  if (round === 0) {
    bigImport(t);
    nightlyReport(t);
  }
  await Promise.all(Object.values(p).map((x) => x.forceFlush()));
  await Promise.all(Object.values(p).map((x) => x.shutdown()));
  return summarize(recorder.spans);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
  const otlp = arg('otlp'), zipkin = arg('zipkin'), out = arg('out'), every = Number(arg('every') || 0);
  if (!otlp || !zipkin) {
    console.error('usage: node tests/backends/traffic.mjs --otlp URL --zipkin URL [--out FILE] [--every SECONDS]');
    process.exit(2);
  }
  const sent = [];
  for (let round = 0; ; round++) {
    sent.push(...await sendTraffic({ otlp, zipkin, round }));
    if (out) fs.writeFileSync(out, JSON.stringify(sent, null, 1));
    console.log(`traffic: round ${round}: ${sent.length} traces, ${sent.reduce((n, t) => n + t.spans, 0)} spans sent so far`);
    if (!every) break;
    await sleep(every * 1000);
  }
}
