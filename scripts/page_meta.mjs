// Where the build's hook and the tests put a <meta> of their own into the
// built page: right after its charset, in either form (Trunk's release
// build minifies the page: `<meta charset=utf-8>`).

/** `html` with `tag` after its <meta charset>; throws, naming `file`, when
 * there is none (the tag would silently be missing). */
export function afterCharset(html, tag, file) {
  const charset = /<meta charset="?utf-8"?\s*\/?>/i;
  if (!charset.test(html)) throw new Error(`${file}: no <meta charset> to put ${tag} after`);
  return html.replace(charset, (m) => `${m}${tag}`);
}
