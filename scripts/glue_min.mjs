// Trunk post_build hook: minifies wasm-bindgen's JavaScript glue, which
// Trunk's own minify leaves as it is (12.0 → 9.5 KB gzip'd), shortens the
// names the wasm imports the glue's functions by (in both files: −8.4 KB
// gzip'd), and writes their new integrity hashes into the built index.html
// (a preload whose bytes do not match its hash is thrown away, and the file
// fetched a second time).
//
// Terser as an ES module: the exports keep their names (the page's loader
// and the decoding worker import them), and so do the properties the wasm
// imports by name (`__wbg_…`, shortened after, with the wasm's).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { minify } from 'terser';

const dir = process.env.TRUNK_STAGING_DIR || 'dist';
const page = path.join(dir, 'index.html');
let html = fs.readFileSync(page, 'utf8');
// The glue is the module the page preloads (crash.js is a classic script).
const [preload, file] = preloaded(/\brel="?modulepreload"?/, 'js', 'the wasm-bindgen glue');
// wasm-streams' classes, exported because leptos always links server_fn's
// browser client (server functions, which this app has none of): nothing
// imports them and the glue never makes one (-0.4 KB gzip'd).
const glue = fs.readFileSync(file, 'utf8')
  .replace(/^export class (IntoUnderlying\w+) \{[\s\S]*?^if \(Symbol\.dispose\) \1\.prototype\[Symbol\.dispose\] = \1\.prototype\.free;\n/gm, '')
  .replace(/^const IntoUnderlying\w+Finalization = [\s\S]*?;\n/gm, '');
if (glue.includes('IntoUnderlying')) throw new Error(`${file}: wasm-streams' classes only partly cut out`);
const minified = (await minify(glue, { module: true, ecma: 2020 })).code;

// The names the wasm imports its JavaScript functions by: wasm-bindgen's
// `__wbg_<name>_<16 hex digits>`, in the glue and again in the wasm, where
// the hex digits are most of what gzip cannot shrink (~290 imports). Each
// becomes `_` and a number, in both files.
const [wasmLink, wasmFile] = preloaded(/\bas="?fetch"?/, 'wasm', 'the wasm module');
const { wasm, renamed } = renameImports(fs.readFileSync(wasmFile));
if (renamed.length === 0) throw new Error(`${wasmFile}: no import of the glue's to rename`);
console.log(`glue_min: ${renamed.length} imports named anew`);
let code = minified;
for (const [from, to] of renamed) {
  const uses = new RegExp(`(?<![\\w$])${from}(?![\\w$])`, 'g');
  const count = (code.match(uses) || []).length;
  if (count !== 1) throw new Error(`${file}: the import ${from} is named ${count} times, not once`);
  code = code.replace(uses, to);
}
// Written once all is checked: the three files change together or not at all.
html = withIntegrity(html, preload, code);
html = withIntegrity(html, wasmLink, wasm);
fs.writeFileSync(wasmFile, wasm);
fs.writeFileSync(file, code);
fs.writeFileSync(page, html);

/** The page's `<link>` whose attributes match `kind` and the file it names (ending `.ext`). */
function preloaded(kind, ext, what) {
  const tag = new RegExp(`<link\\b(?=[^>]*${kind.source})[^>]*>`, 'i').exec(html);
  const href = tag && new RegExp(`\\bhref="?\\/?([^"\\s>]+\\.${ext})"?`, 'i').exec(tag[0]);
  if (!href) throw new Error(`${page}: no preload of ${what}`);
  return [tag[0], path.join(dir, href[1])];
}

/** `tag` in `html` with the integrity of `bytes`. */
function withIntegrity(html, tag, bytes) {
  const integrity = `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;
  if (!/\bintegrity=/i.test(tag)) throw new Error(`${page}: ${tag} has no integrity to update`);
  return html.replace(tag, tag.replace(/\bintegrity="?[^"\s>]+"?/i, `integrity="${integrity}"`));
}

/**
 * The wasm module with the imports from the glue (the module of its
 * `__wbg_` functions) named `_0`, `_1`, …: the module's bytes and each
 * [old name, new name].
 */
function renameImports(bytes) {
  let module = null;
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const encode = (n) => {
    const out = [];
    do {
      let byte = n % 128;
      n = Math.floor(n / 128);
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return Buffer.from(out);
  };
  const name = () => {
    const len = leb();
    at += len;
    return bytes.subarray(at - len, at).toString('utf8');
  };
  while (at < bytes.length) {
    const sectionStart = at;
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id !== 2) {
      at = end;
      continue;
    }
    const parts = [];
    const renamed = [];
    const count = leb();
    parts.push(encode(count));
    for (let i = 0; i < count; i++) {
      const from = name();
      let field = name();
      const descStart = at;
      // What is imported: a function (type index), table, memory, global or tag.
      const kind = bytes[at++];
      if (kind === 0) leb();
      else if (kind === 1 || kind === 2) {
        if (kind === 1) at++;
        const flags = bytes[at++];
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) at += 2;
      else if (kind === 4) { at++; leb(); }
      else throw new Error(`${wasmFile}: an import of kind ${kind}`);
      if (module === null && field.startsWith('__wbg_')) module = from;
      if (from === module) {
        const short = `_${renamed.length.toString(36)}`;
        renamed.push([field, short]);
        field = short;
      }
      for (const text of [from, field]) {
        const b = Buffer.from(text, 'utf8');
        parts.push(encode(b.length), b);
      }
      parts.push(bytes.subarray(descStart, at));
    }
    if (at !== end) throw new Error(`${wasmFile}: the import section ends at ${at}, not ${end}`);
    const body = Buffer.concat(parts);
    const wasm = Buffer.concat([
      bytes.subarray(0, sectionStart), Buffer.from([2]), encode(body.length), body, bytes.subarray(end),
    ]);
    return { wasm, renamed };
  }
  throw new Error(`${wasmFile}: no import section`);
}
