// Real Jaeger v2 and Zipkin servers on loopback, for the end-to-end tests and
// `scripts/backends.sh`. `scripts/setup.sh --backends` builds and fetches them.
//
// Each server runs under `setpriv --pdeathsig KILL`, so it stops with the
// process that started it even when that process is killed.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

/** Jaeger's version: the module version `tests/backends/jaeger/go.mod` builds. */
export const JAEGER_VERSION = fs.readFileSync(path.join(here, 'jaeger', 'go.mod'), 'utf8')
  .match(/^\s*github\.com\/jaegertracing\/jaeger (v\S+)/m)[1];
/** Zipkin's version: `tests/backends/versions.env`, which setup.sh also reads. */
export const ZIPKIN_VERSION = fs.readFileSync(path.join(here, 'versions.env'), 'utf8')
  .match(/^ZIPKIN_VERSION=(\S+)/m)[1];
export const JAEGER_BIN = process.env.JAEGER_BIN || path.join(root, 'target', 'backends', `jaeger-${JAEGER_VERSION}`);
export const ZIPKIN_JAR = process.env.ZIPKIN_JAR || path.join(os.homedir(), '.m2', 'repository', 'io', 'zipkin',
  'zipkin-server', ZIPKIN_VERSION, `zipkin-server-${ZIPKIN_VERSION}-exec.jar`);

/** A port nobody listens on at this moment. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

/** Starts `cmd` so that it dies with this process; its output goes to `logFile`. */
function start(cmd, args, env, logFile) {
  const log = fs.openSync(logFile, 'w');
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', cmd, ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal || `exit code ${code}`; });
  return {
    child,
    exited: () => exited,
    stop: () => new Promise((ok) => {
      if (exited) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

/** Waits until `url` answers 200, or fails naming the log to read. */
async function ready(url, proc, name, logFile, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exited()) {
      const e = new Error(`${name} stopped (${proc.exited()}) before it was ready; see ${logFile}`);
      e.portTaken = /address already in use/i.test(fs.readFileSync(logFile, 'utf8'));
      throw e;
    }
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s; see ${logFile}`);
}

/**
 * Runs `startOnce` again when the server it started stopped because a port
 * it was given was taken meanwhile (`freePort` only says a port was free: an
 * outgoing connection may take it as its own before the server binds it),
 * with ports chosen anew; at most three tries.
 */
async function retriedWhenPortTaken(startOnce) {
  for (let tries = 1; ; tries++) {
    try {
      return await startOnce();
    } catch (e) {
      if (!e.portTaken || tries === 3) throw e;
    }
  }
}

/**
 * Jaeger v2 with memory storage (tests/backends/jaeger/config.yaml): OTLP in,
 * query API v1 and v3 out, CORS open to `origin`, under `basePath` (like
 * `/jaeger`) when given. Ports are chosen free unless given.
 */
export function startJaeger(options = {}) {
  return retriedWhenPortTaken(() => startJaegerOnce(options));
}

async function startJaegerOnce({ origin, logDir = os.tmpdir(), ports = {}, basePath = '' }) {
  if (!fs.existsSync(JAEGER_BIN)) throw new Error(`${JAEGER_BIN} is missing: run \`bash scripts/setup.sh --backends\``);
  const p = {
    query: ports.query ?? await freePort(), queryGrpc: ports.queryGrpc ?? await freePort(),
    otlpHttp: ports.otlpHttp ?? await freePort(), otlpGrpc: ports.otlpGrpc ?? await freePort(),
    health: ports.health ?? await freePort(),
  };
  const logFile = path.join(logDir, `jaeger-${p.query}.log`);
  const proc = start(JAEGER_BIN, ['--config', path.join(here, 'jaeger', 'config.yaml')], {
    JAEGER_QUERY_PORT: p.query, JAEGER_QUERY_GRPC_PORT: p.queryGrpc, JAEGER_OTLP_HTTP_PORT: p.otlpHttp,
    JAEGER_OTLP_GRPC_PORT: p.otlpGrpc, JAEGER_HEALTH_PORT: p.health, JAEGER_CORS_ORIGIN: origin ?? '',
    JAEGER_BASE_PATH: basePath || '/',
  }, logFile);
  await ready(`http://127.0.0.1:${p.health}/status`, proc, 'Jaeger', logFile);
  const version = JSON.parse(execFileSync(JAEGER_BIN, ['version'], { stdio: ['ignore', 'pipe', 'ignore'] })).gitVersion;
  return {
    version, logFile, ports: p,
    queryUrl: `http://127.0.0.1:${p.query}${basePath}`,
    otlpUrl: `http://127.0.0.1:${p.otlpHttp}/v1/traces`,
    stop: proc.stop,
  };
}

/** Zipkin server with memory storage on 127.0.0.1 only (CORS is open by default). */
export function startZipkin(options = {}) {
  return retriedWhenPortTaken(() => startZipkinOnce(options));
}

async function startZipkinOnce({ logDir = os.tmpdir(), port }) {
  if (!fs.existsSync(ZIPKIN_JAR)) throw new Error(`${ZIPKIN_JAR} is missing: run \`bash scripts/setup.sh --backends\``);
  port ??= await freePort();
  const logFile = path.join(logDir, `zipkin-${port}.log`);
  // Armeria's own port list replaces Zipkin's `*:9411`, so it binds loopback only.
  const proc = start('java', ['-Xmx1g', '-jar', ZIPKIN_JAR, `--armeria.ports[0].ip=127.0.0.1`,
    `--armeria.ports[0].port=${port}`, '--armeria.ports[0].protocols=http'],
  { STORAGE_TYPE: 'mem', QUERY_PORT: String(port), SELF_TRACING_ENABLED: 'false' }, logFile);
  const url = `http://127.0.0.1:${port}`;
  await ready(`${url}/health`, proc, 'Zipkin', logFile);
  const info = await (await fetch(`${url}/info`)).json();
  return { version: info.zipkin.version, logFile, port, url, spansUrl: `${url}/api/v2/spans`, stop: proc.stop };
}
