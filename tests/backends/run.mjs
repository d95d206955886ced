// `scripts/backends.sh`: Jaeger v2 and Zipkin on loopback at their usual
// ports, the traffic program sending a round every 15 s, and the app on
// http://127.0.0.1:8080 with both backends already in its settings (listed
// in the page it serves). Ctrl+C stops everything; the servers also stop if
// this process is killed.
import path from 'node:path';
import { pageListing, serveApp, root } from '../harness.mjs';
import { startJaeger, startZipkin } from './servers.mjs';
import { sendTraffic } from './traffic.mjs';

const dir = path.resolve(root, process.argv[2] || path.join('target', 'backends-dist'));
const logDir = path.join(root, 'target', 'backends');
const APP_PORT = 8080;
const origin = `http://127.0.0.1:${APP_PORT}`;

const [jaeger, zipkin] = await Promise.all([
  startJaeger({ origin, logDir, ports: { query: 16686, queryGrpc: 16685, otlpHttp: 4318, otlpGrpc: 4317, health: 13133 } }),
  startZipkin({ logDir, port: 9411 }),
]);
// The page lists both backends for the app to add to its settings.
const page = pageListing([
  { name: `Jaeger ${jaeger.version} (local)`, url: jaeger.queryUrl, kind: 'jaeger' },
  { name: `Zipkin ${zipkin.version} (local)`, url: zipkin.url, kind: 'zipkin' },
], dir);
const server = await serveApp((u, req, res) => {
  if (u.pathname !== '/' && u.pathname !== '/index.html') return false;
  res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  return true;
}, { dir, port: APP_PORT });

console.log(`Jaeger ${jaeger.version}: ${jaeger.queryUrl} (OTLP in at ${jaeger.otlpUrl})`);
console.log(`Zipkin ${zipkin.version}: ${zipkin.url}`);
console.log(`Tracescope: ${origin}/ — open Search; both backends are in its settings. Ctrl+C stops everything.`);
console.log(`Logs: ${logDir}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  await Promise.all([jaeger.stop(), zipkin.stop()]);
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

for (let round = 0; !stopping; round++) {
  try {
    const sent = await sendTraffic({ otlp: jaeger.otlpUrl, zipkin: zipkin.spansUrl, round });
    console.log(`traffic round ${round}: ${sent.length} traces, ${sent.reduce((n, t) => n + t.spans, 0)} spans`);
  } catch (e) {
    console.error(`traffic round ${round} failed: ${e.message}`);
  }
  await new Promise((r) => setTimeout(r, 15_000));
}
