// A loopback test server that answers the way Jaeger (query API v1 and
// API v3), Grafana Tempo and Zipkin v2 answer: the paths, response shapes
// and status codes of their API documents, with bodies built from the real
// files in ../shared/corpus. It replays wire formats for the end-to-end
// tests; it is not a Jaeger, Tempo or Zipkin server (no storage, no query
// engine: a search returns the corpus traces of the asked service).
//
// Every backend sits under a prefix of its own:
//   /jaeger   Jaeger query API v1      /jaeger3  Jaeger API v3 (no trace-summaries)
//   /jaeger3s Jaeger API v3 with trace-summaries (newer servers)
//   /tempo    Tempo                    /zipkin   Zipkin v2
// and the failures, each a Jaeger v1 that:
//   /slow     answers after 3 s        /broken   answers 500 with Jaeger's error body
//   /notjson  answers an HTML page     /nocors   answers without CORS headers
//   /stallbody sends the headers and half of the body, then nothing
//   /dribble  sends traces (not lists) in two halves, 1.5 s apart
// and /linked, a Jaeger v1 holding only the Jaeger traces the test gives.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

/** The corpus traces of each kind, loaded once. */
function loadCorpus(corpus) {
  const read = (rel) => JSON.parse(fs.readFileSync(path.join(corpus, rel), 'utf8'));
  const list = (dir) => fs.readdirSync(path.join(corpus, dir)).filter((f) => f.endsWith('.json')).sort();
  // Jaeger: every {traceID, spans, processes} (UI exports and API answers).
  const jaeger = [];
  for (const f of list('jaeger')) {
    const v = read(`jaeger/${f}`);
    const traces = Array.isArray(v?.data) ? v.data : [v];
    for (const t of traces) if (t && t.traceID && Array.isArray(t.spans) && t.processes) jaeger.push(t);
  }
  // Jaeger API v3: the HotROD answer.
  const hotrod = read('otlp/jaeger-apiv3-getTrace-response-hotrod.json');
  // Zipkin v2: lists of spans with a local endpoint.
  const zipkin = [];
  for (const f of list('zipkin')) {
    const v = read(`zipkin/${f}`);
    const spans = (Array.isArray(v) ? v : [v]).flat().filter((s) => s && s.traceId && s.localEndpoint);
    if (spans.length) zipkin.push(spans);
  }
  // Tempo: its documented search answer, and two trace files for its ids.
  const tempoSearch = read('tempo/tempo-docs-api-search-tags-response.json');
  const tempoTraces = {
    // Served by the v2 endpoint, wrapped as Tempo does.
    d6e9329d67b6146a: { v2: read('tempo/tempo-vulture-testdata-trace.json') },
    // Only on the older endpoint: the app must fall back to it.
    '1b1ba462b409200d': { v1: read('tempo/tempo-tempopb-trace-batches.json') },
  };
  return { jaeger, hotrod, zipkin, tempoSearch, tempoTraces };
}

const jaegerServices = (t) => Object.values(t.processes).map((p) => p.serviceName);
const otlpService = (rs) => rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue;
const sorted = (xs) => [...new Set(xs.filter(Boolean))].sort();

/** Starts the server on 127.0.0.1 (a free port); `requests` records every request. */
export async function startFakeBackends(corpus, { linked = [] } = {}) {
  const c = loadCorpus(corpus);
  const requests = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const [, prefix, ...rest] = u.pathname.split('/');
    const p = '/' + rest.map(decodeURIComponent).join('/');
    const q = Object.fromEntries(u.searchParams);
    requests.push({ prefix, path: p, query: q, search: u.search });
    const cors = prefix === 'nocors' ? {} : { 'access-control-allow-origin': '*' };
    const send = (status, body, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, ...cors });
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      if (prefix === 'stallbody') return res.write(text.slice(0, text.length >> 1));
      if (prefix === 'dribble' && p.startsWith('/api/traces')) {
        res.write(text.slice(0, text.length >> 1));
        return setTimeout(() => res.end(text.slice(text.length >> 1)), 1500);
      }
      res.end(text);
    };
    const answer = () => {
      switch (prefix) {
        case 'slow':
          // Its own service list, so a late answer is told apart from another backend's.
          if (p === '/api/services') return send(200, { data: ['slow-only'], total: 1, limit: 0, offset: 0, errors: null });
          return jaegerV1(c, p, q, send);
        case 'jaeger': case 'nocors': case 'stallbody': case 'dribble': return jaegerV1(c, p, q, send);
        case 'linked': return jaegerV1({ jaeger: linked }, p, q, send);
        case 'broken':
          return send(500, { data: null, total: 0, limit: 0, offset: 0,
            errors: [{ code: 500, msg: 'storage backend unavailable: cassandra query timed out' }] });
        case 'notjson': return send(200, '<html><body><h1>Welcome to nginx!</h1></body></html>', 'text/html');
        case 'jaeger3': return jaegerV3(c, p, q, send, false);
        case 'jaeger3s': return jaegerV3(c, p, q, send, true);
        case 'tempo': return tempo(c, p, q, send);
        case 'zipkin': return zipkin(c, p, q, send);
        default: return send(404, '404 page not found\n', 'text/plain');
      }
    };
    if (prefix === 'slow') setTimeout(answer, 3000);
    else answer();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, requests, base: `http://127.0.0.1:${server.address().port}` };
}

/** Jaeger query API v1 (jaeger-query's HTTP handler). */
function jaegerV1(c, p, q, send) {
  const envelope = (data) => ({ data, total: Array.isArray(data) ? data.length : 0, limit: 0, offset: 0, errors: null });
  if (p === '/api/services') return send(200, envelope(sorted(c.jaeger.flatMap(jaegerServices))));
  let m = p.match(/^\/api\/services\/(.+)\/operations$/);
  if (m) {
    const ops = c.jaeger.flatMap((t) => t.spans.filter((s) => t.processes[s.processID]?.serviceName === m[1]).map((s) => s.operationName));
    return send(200, envelope(sorted(ops)));
  }
  if (p === '/api/traces') {
    if (!q.service) {
      return send(400, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg: 'parameter \'service\' is required' }] });
    }
    const found = c.jaeger.filter((t) => jaegerServices(t).includes(q.service));
    return send(200, envelope(found.slice(0, Number(q.limit) || 20)));
  }
  m = p.match(/^\/api\/traces\/(.+)$/);
  if (m) {
    const t = c.jaeger.find((t) => t.traceID.toLowerCase() === m[1].toLowerCase());
    return t ? send(200, envelope([t]))
      : send(404, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
  }
  return send(404, '404 page not found\n', 'text/plain');
}

/** Jaeger API v3's HTTP gateway (grpc-gateway error bodies). */
function jaegerV3(c, p, q, send, summaries) {
  const error = (code, message) => send(code, { error: { httpCode: code, message } });
  const services = sorted(c.hotrod.result.resourceSpans.map(otlpService));
  if (p === '/api/v3/services') return send(200, { services });
  if (p === '/api/v3/operations') {
    const ops = c.hotrod.result.resourceSpans.filter((rs) => otlpService(rs) === q.service)
      .flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
    return send(200, { operations: sorted(ops).map((name) => ({ name, spanKind: 'server' })) });
  }
  if (p === '/api/v3/traces') {
    if (!q['query.start_time_min'] || !q['query.start_time_max']) {
      return error(400, 'query.start_time_min and query.start_time_max are required');
    }
    return services.includes(q['query.service_name']) ? send(200, c.hotrod) : error(404, 'No traces found');
  }
  const m = p.match(/^\/api\/v3\/traces\/(.+)$/);
  if (m) {
    const id = c.hotrod.result.resourceSpans[0].scopeSpans[0].spans[0].traceId;
    return m[1].toLowerCase() === id.toLowerCase() ? send(200, c.hotrod) : error(404, 'trace not found');
  }
  if (p === '/api/v3/trace-summaries' && summaries) {
    if (!services.includes(q['query.service_name'])) return error(404, 'No traces found');
    return send(200, { summaries: [hotrodSummary(c.hotrod)] });
  }
  // Older servers have no trace-summaries: Go's mux answers in plain text.
  return send(404, '404 page not found\n', 'text/plain');
}

/** Grafana Tempo's HTTP API. */
function tempo(c, p, q, send) {
  const services = sorted(c.tempoSearch.traces.map((t) => t.rootServiceName).concat(['cart', 'checkout']));
  const tagList = (xs) => ({ tagValues: xs.map((value) => ({ type: 'string', value })), metrics: {} });
  if (p === '/api/v2/search/tag/resource.service.name/values') return send(200, tagList(services));
  if (p === '/api/v2/search/tag/name/values') {
    const svc = /resource\.service\.name\s*=\s*"([^"]*)"/.exec(q.q || '')?.[1];
    const names = c.tempoSearch.traces.filter((t) => !svc || t.rootServiceName === svc).map((t) => t.rootTraceName);
    return send(200, tagList(sorted(names)));
  }
  const values = (m) => m && { 'http.method': ['GET', 'POST'], 'http.status_code': ['200', '500'] }[m[1]];
  const tagValues = values(p.match(/^\/api\/v2\/search\/tag\/(.+)\/values$/));
  if (tagValues) return send(200, { tagValues: tagValues.map((value) => ({ type: 'string', value })), metrics: {} });
  if (p === '/api/v2/search/tags') {
    return send(200, { scopes: [{ name: 'resource', tags: ['service.name'] }, { name: 'span', tags: ['http.method', 'http.status_code'] }] });
  }
  if (p === '/api/search') {
    if (q.start && q.end && Number(q.end) < Number(q.start)) return send(400, 'invalid start and end: end before start', 'text/plain');
    return send(200, c.tempoSearch);
  }
  let m = p.match(/^\/api\/v2\/traces\/(.+)$/);
  if (m) {
    const t = c.tempoTraces[m[1].toLowerCase()];
    return t?.v2 ? send(200, { trace: t.v2, metrics: { inspectedBytes: '1' } }) : send(404, 'trace not found', 'text/plain');
  }
  m = p.match(/^\/api\/traces\/(.+)$/);
  if (m) {
    const t = c.tempoTraces[m[1].toLowerCase()];
    const body = t?.v1 || t?.v2;
    return body ? send(200, body) : send(404, 'trace not found', 'text/plain');
  }
  return send(404, '404 page not found\n', 'text/plain');
}

/** Zipkin's v2 HTTP API (zipkin-server). */
function zipkin(c, p, q, send) {
  const svc = (s) => s.localEndpoint?.serviceName;
  if (p === '/api/v2/services') return send(200, sorted(c.zipkin.flat().map(svc)));
  if (p === '/api/v2/spans') {
    if (!q.serviceName) return send(400, 'serviceName is required', 'text/plain');
    return send(200, sorted(c.zipkin.flat().filter((s) => svc(s) === q.serviceName).map((s) => s.name)));
  }
  if (p === '/api/v2/traces') {
    const found = c.zipkin.filter((t) => !q.serviceName || t.some((s) => svc(s) === q.serviceName));
    return send(200, found.slice(0, Number(q.limit) || 10));
  }
  const m = p.match(/^\/api\/v2\/trace\/(.+)$/);
  if (m) {
    const t = c.zipkin.find((t) => t[0].traceId.toLowerCase().endsWith(m[1].toLowerCase()));
    return t ? send(200, t) : send(404, `Trace not found: ${m[1]}`, 'text/plain');
  }
  return send(404, '404 page not found\n', 'text/plain');
}

/** Jaeger's trace summary of the HotROD answer (apiv3 summaries.go's JSON). */
function hotrodSummary(hotrod) {
  const spans = hotrod.result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ s, svc: otlpService(rs) }))));
  const root = spans.find(({ s }) => !s.parentSpanId);
  const isErr = ({ s }) => s.status?.code === 2 || s.status?.code === 'STATUS_CODE_ERROR';
  const bySvc = new Map();
  for (const x of spans) {
    const e = bySvc.get(x.svc) || { name: x.svc, spanCount: 0, errorSpanCount: 0 };
    e.spanCount++; if (isErr(x)) e.errorSpanCount++;
    bySvc.set(x.svc, e);
  }
  const big = (f) => spans.map(({ s }) => BigInt(s[f])).reduce((a, b) => (f.startsWith('start') ? (a < b ? a : b) : (a > b ? a : b)));
  return {
    traceId: root.s.traceId, rootServiceName: root.svc, rootOperationName: root.s.name,
    minStartTimeUnixNano: String(big('startTimeUnixNano')), maxEndTimeUnixNano: String(big('endTimeUnixNano')),
    spanCount: spans.length, errorSpanCount: spans.filter(isErr).length, orphanSpanCount: 0, services: [...bySvc.values()],
  };
}
