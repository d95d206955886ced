// Trunk post_build hook: minifies wasm-bindgen's JavaScript glue, which
// Trunk's own minify leaves as it is (12.0 → 9.5 KB gzip'd), and writes its
// new integrity hash into the built index.html (a preload whose bytes do not
// match its hash is thrown away, and the module fetched a second time).
//
// Terser as an ES module: the exports keep their names (the page's loader
// and the decoding worker import them), and so do the properties the wasm
// imports by name (`__wbg_…`): only local names are shortened.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { minify } from 'terser';

const dir = process.env.TRUNK_STAGING_DIR || 'dist';
const page = path.join(dir, 'index.html');
let html = fs.readFileSync(page, 'utf8');
// The glue is the module the page preloads (crash.js is a classic script).
const preload = /<link\b(?=[^>]*\brel="?modulepreload"?)[^>]*>/i.exec(html);
const href = preload && /\bhref="?\/?([^"\s>]+\.js)"?/i.exec(preload[0]);
if (!href) throw new Error(`${page}: no modulepreload of the wasm-bindgen glue`);
if (!/\bintegrity=/i.test(preload[0])) throw new Error(`${page}: the glue's preload has no integrity to update`);
const file = path.join(dir, href[1]);
// wasm-streams' classes, exported because leptos always links server_fn's
// browser client (server functions, which this app has none of): nothing
// imports them and the glue never makes one (-0.4 KB gzip'd).
const glue = fs.readFileSync(file, 'utf8')
  .replace(/^export class (IntoUnderlying\w+) \{[\s\S]*?^if \(Symbol\.dispose\) \1\.prototype\[Symbol\.dispose\] = \1\.prototype\.free;\n/gm, '')
  .replace(/^const IntoUnderlying\w+Finalization = [\s\S]*?;\n/gm, '');
if (glue.includes('IntoUnderlying')) throw new Error(`${file}: wasm-streams' classes only partly cut out`);
const { code } = await minify(glue, { module: true, ecma: 2020 });
fs.writeFileSync(file, code);
const integrity = `sha384-${crypto.createHash('sha384').update(code, 'utf8').digest('base64')}`;
const tag = preload[0].replace(/\bintegrity="?[^"\s>]+"?/i, `integrity="${integrity}"`);
html = html.replace(preload[0], tag);
fs.writeFileSync(page, html);
