// Trunk post_build hook: writes the page's Content-Security-Policy into the
// built index.html as a <meta>, with the hash of each inline script (Trunk's
// loader names the hashed files, so its hash changes with every build).
//
// - script-src: this origin, the inline loader by hash, and compiling wasm
//   ('wasm-unsafe-eval'); nothing else runs, so injected script cannot.
// - worker-src blob: the decoding worker starts from a Blob URL and imports
//   the page's own glue.
// - connect-src 'self' http: https: — a user may add any backend, and a
//   ?url= link may name any site (the app asks before contacting another
//   origin).
// Under `trunk serve` the reload script is rewritten as it is served, so no
// hash can name it: that build allows inline script and ws: for its socket
// (only the served build, never what `trunk build` writes).
// - style-src 'unsafe-inline': the components set style attributes; no
//   HTML is ever built from trace text.
// frame-ancestors and the other headers cannot be set from a <meta>: the
// README's hosting section gives them for the server.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterCharset } from './page_meta.mjs';

const file = path.join(process.env.TRUNK_STAGING_DIR || 'dist', 'index.html');
let html = fs.readFileSync(file, 'utf8');
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map((m) => `'sha256-${crypto.createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
const serving = html.includes('__trunk_address__') || html.includes('.well-known/trunk');
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${serving ? "'unsafe-inline'" : hashes.join(' ')}`,
  "worker-src 'self' blob:",
  `connect-src 'self' http: https:${serving ? ' ws: wss:' : ''}`,
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
html = html.replace(/<meta http-equiv="?Content-Security-Policy"?[^>]*>\s*/i, '');
html = afterCharset(html, `<meta http-equiv="Content-Security-Policy" content="${policy}" />`, file);
fs.writeFileSync(file, html);
