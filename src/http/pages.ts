/**
 * The few HTML pages the server shows people (a machine's registration, a
 * user invite): one small template, escaped text only, no scripts and no
 * external assets (a strict Content-Security-Policy holds).
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f7f7f8;color:#1f2328}
main{max-width:44rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d8dadd;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}pre{background:#1f2328;color:#f0f3f6;padding:1rem;border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.95em}.muted{color:#59636e;font-size:.9rem}`;

/** A whole page; `body` must already be escaped HTML. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
