import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
const page = await browser.newPage();
await page.setContent('<input type=file id=f>');
await page.setInputFiles('#f', process.argv[2]);
const r = await page.evaluate(async () => {
  const file = document.getElementById('f').files[0];
  const half = file.slice(0, Math.floor(file.size / 2));
  const code = `
  onmessage = async (e) => {
    const blob = e.data.blob, mode = e.data.mode;
    const out = new Uint8Array(new WebAssembly.Memory({ initial: 4000 }).buffer);
    let at = 0, chunks = 0, t = performance.now(), sizes = [];
    if (mode === 'stream') {
      const r = blob.stream().getReader();
      for (;;) { const { done, value } = await r.read(); if (done) break; out.set(value, at); at += value.length; chunks++; if (sizes.length < 5) sizes.push(value.length); }
    } else if (mode === 'byob') {
      const r = blob.stream().getReader({ mode: 'byob' });
      let buf = new ArrayBuffer(8 << 20);
      for (;;) { const { done, value } = await r.read(new Uint8Array(buf)); if (done) break; out.set(value, at); at += value.length; chunks++; if (sizes.length < 5) sizes.push(value.length); buf = value.buffer; }
    } else {
      const P = 8 << 20;
      for (let a = 0; a < blob.size; a += P) { const v = new Uint8Array(await blob.slice(a, a + P).arrayBuffer()); out.set(v, at); at += v.length; chunks++; }
    }
    postMessage({ mode, ms: performance.now() - t, chunks, bytes: at, sizes });
  };`;
  const url = URL.createObjectURL(new Blob([code]));
  const res = [];
  const other = file.slice(Math.floor(file.size / 2));
  for (const mode of ['stream', 'byob', 'stream', 'byob', 'stream', 'byob']) {
    const t = performance.now();
    const both = await Promise.all([half, other].map((blob) => { const w = new Worker(url); return new Promise((ok) => { w.onmessage = (e) => { w.terminate(); ok(e.data); }; w.postMessage({ blob, mode }); }); }));
    res.push({ mode, all: performance.now() - t, each: both.map((b) => b.ms.toFixed(0)), chunks: both.map((b) => b.chunks) });
  }
  return res;
});
for (const x of r) console.log(JSON.stringify(x));
await browser.close();
