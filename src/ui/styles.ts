import { createHash } from 'node:crypto';

/**
 * Laurel's one stylesheet, served as a file (the CSP allows style from 'self' only: no inline style, no web fonts).
 * Kept as a string so the build ships it inside dist/ with no copy step. Pages live in LMS iframes, so the layout
 * is a single readable column that shrinks to a 320px-wide frame; colours follow prefers-color-scheme.
 */
export const laurelCss = `:root {
  color-scheme: light dark;
  --bg: #f7f8f6;
  --surface: #ffffff;
  --text: #1c2420;
  --muted: #56605a;
  --border: #d5dbd6;
  --accent: #1f5f3f;
  --accent-hover: #174a31;
  --on-accent: #ffffff;
  --focus: #b45309;
  --code-bg: #eef1ed;
  --pass: #17603a;
  --pass-bg: #e3f3e8;
  --fail: #a32a2a;
  --fail-bg: #fbe9e8;
  --radius: 0.5rem;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #131715;
    --surface: #1b201d;
    --text: #e4e9e5;
    --muted: #a5afa9;
    --border: #36403a;
    --accent: #7cc59c;
    --accent-hover: #9ad6b3;
    --on-accent: #0c1a12;
    --focus: #f6b765;
    --code-bg: #252b27;
    --pass: #8fdcaa;
    --pass-bg: #173224;
    --fail: #ffaca6;
    --fail-bg: #3b1d1c;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  overflow-wrap: break-word;
}
.site-header {
  display: flex;
  align-items: center;
  gap: 0.5rem;
  padding: 0.5rem 1rem;
  border-bottom: 1px solid var(--border);
  background: var(--surface);
  font-weight: 600;
  letter-spacing: 0.01em;
}
.site-header img { display: block; width: 1.5rem; height: 1.5rem; }
.page { max-width: 46rem; margin: 0 auto; padding: 1.25rem 1rem 2.5rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.25rem 0 0.75rem; }
h2 { font-size: 1.25rem; line-height: 1.3; margin: 1.5rem 0 0.5rem; }
h2:empty { display: none; }
p, ul, ol { margin: 0 0 1rem; }
ul, ol { padding-left: 1.25rem; }
li + li { margin-top: 0.35rem; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:hover { color: var(--accent-hover); }
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.9em;
  background: var(--code-bg);
  padding: 0.1em 0.3em;
  border-radius: 0.25rem;
  overflow-wrap: anywhere;
}
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
label { display: inline-block; font-weight: 600; margin-bottom: 0.25rem; }
input, textarea, select, button { font: inherit; color: inherit; }
input[type="url"], input[type="text"], input[type="email"], textarea, select {
  display: block;
  width: 100%;
  max-width: 100%;
  padding: 0.5rem 0.6rem;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
}
textarea { min-height: 8rem; resize: vertical; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.875rem; }
input[type="file"] { display: block; max-width: 100%; }
input[type="file"]::file-selector-button {
  font: inherit;
  margin-right: 0.75rem;
  padding: 0.35rem 0.8rem;
  border: 1px solid var(--accent);
  border-radius: var(--radius);
  background: transparent;
  color: var(--accent);
  cursor: pointer;
}
input:focus-visible, textarea:focus-visible, select:focus-visible { border-color: var(--focus); }
button, .button {
  display: inline-block;
  padding: 0.45rem 1rem;
  min-height: 2.5rem;
  border: 1px solid var(--accent);
  border-radius: var(--radius);
  background: var(--accent);
  color: var(--on-accent);
  font-weight: 600;
  text-decoration: none;
  cursor: pointer;
  white-space: nowrap;
}
button:hover, .button:hover { background: var(--accent-hover); border-color: var(--accent-hover); color: var(--on-accent); }
button.secondary { background: transparent; color: var(--accent); }
button.secondary:hover { background: var(--code-bg); color: var(--accent-hover); }
form p { margin-bottom: 1.1rem; }
table { width: 100%; border-collapse: collapse; margin: 0 0 1rem; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); }
th, td { text-align: left; vertical-align: top; padding: 0.55rem 0.75rem; border-bottom: 1px solid var(--border); }
table.checks td:last-child { overflow-wrap: anywhere; }
thead th { font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
tbody tr:last-child > * { border-bottom: 0; }
table.stack th { width: 38%; font-weight: 600; }
table.stack td:last-child { width: 1%; text-align: right; white-space: nowrap; }
.choices { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.75rem; }
.choices li { margin: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.5rem; }
.muted { color: var(--muted); }
.status { display: inline-block; font-weight: 600; padding: 0.1rem 0.5rem; border-radius: 999px; white-space: nowrap; }
.status-pass { color: var(--pass); background: var(--pass-bg); }
.status-fail { color: var(--fail); background: var(--fail-bg); }
.status-none { color: var(--muted); background: var(--code-bg); }
.verdict-pass { color: var(--pass); }
.verdict-fail { color: var(--fail); }
.verdict-pass::before { content: "\\2713\\00a0"; }
.verdict-fail::before { content: "\\2717\\00a0"; }
[hidden] { display: none !important; }
h3 { font-size: 1.1rem; line-height: 1.3; margin: 0 0 0.35rem; }
h4 { font-size: 0.95rem; margin: 1rem 0 0.4rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
pre { margin: 0 0 1rem; padding: 0.75rem; background: var(--code-bg); border-radius: var(--radius); overflow-x: auto; font-size: 0.85rem; max-width: 100%; }
details { margin: 0 0 1rem; }
summary { cursor: pointer; color: var(--accent); font-weight: 600; }
details[open] > summary { margin-bottom: 0.5rem; }
details.new-badge { padding: 0.75rem 1rem; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.field-error { color: var(--fail); background: var(--fail-bg); padding: 0.35rem 0.6rem; border-radius: var(--radius); white-space: pre-line; }
[aria-invalid="true"] { border-color: var(--fail) !important; }
button.small { min-height: 2rem; padding: 0.2rem 0.6rem; font-size: 0.85rem; margin: 0 0.25rem 0.35rem 0; }
button:disabled { opacity: 0.6; cursor: progress; }
.badge-list { list-style: none; padding: 0; }
.badge-list > li + li { margin-top: 0.75rem; }
.badge-card { display: flex; gap: 1rem; align-items: flex-start; padding: 0.9rem 1rem; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); }
.badge-card > div { min-width: 0; flex: 1; }
.badge-card p:last-child, .badge-card ul:last-child { margin-bottom: 0; }
.badge-card[data-state="revoked"], .badge-card[data-state="suspended"] { border-style: dashed; }
.badge-image { flex: none; width: 4.5rem; height: 4.5rem; object-fit: contain; border-radius: var(--radius); }
.badge-image-none { display: block; background: var(--code-bg); border: 1px dashed var(--border); }
.badge-actions { margin: 0.5rem 0 0; gap: 0.35rem 1rem; }
.badge-admin { margin: 0 0 2rem; padding-bottom: 1rem; border-bottom: 1px solid var(--border); }
.badge-admin:last-of-type { border-bottom: 0; }
table.awards td:last-child { width: 1%; white-space: nowrap; }
table.awards details { margin: 0; white-space: normal; }
table.awards summary { white-space: nowrap; }
pre.rule { white-space: pre-wrap; overflow-wrap: anywhere; }
textarea.prose { font-family: inherit; font-size: 1rem; min-height: 4.5rem; }
table.awards form { min-width: 14rem; margin-top: 0.5rem; }
@media (max-width: 36rem) {
  .page { padding: 1rem 0.75rem 2rem; }
  h1 { font-size: 1.35rem; }
  table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block; }
  table.stack tr { padding: 0.6rem 0.75rem; border-bottom: 1px solid var(--border); }
  table.stack tr:last-child { border-bottom: 0; }
  table.stack th, table.stack td, table.stack td:last-child { width: auto; padding: 0.15rem 0; border: 0; text-align: left; }
  table.checks thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.checks, table.checks tbody { display: block; }
  table.checks tr { display: grid; grid-template-columns: 1fr auto; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--border); }
  table.checks tr:last-child { border-bottom: 0; }
  table.checks td { display: block; padding: 0.1rem 0; border: 0; }
  table.checks td:first-child { font-weight: 600; }
  table.checks td:last-child { grid-column: 1 / -1; color: var(--muted); }
  .badge-card { flex-direction: column; gap: 0.5rem; }
  .badge-image { width: 3.5rem; height: 3.5rem; }
  table.awards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.awards, table.awards tbody, table.awards tr, table.awards th, table.awards td { display: block; }
  table.awards tr { padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--border); }
  table.awards tr:last-child { border-bottom: 0; }
  table.awards th, table.awards td, table.awards td:last-child { width: auto; padding: 0.1rem 0; border: 0; white-space: normal; }
  table.awards form { min-width: 0; }
}
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }
`;

/** A content hash of the stylesheet: its ETag, and the `v` query that busts caches when it changes. */
export const laurelCssHash = createHash('sha256').update(laurelCss).digest('base64url').slice(0, 16);

/** The stylesheet's path; the hash in the URL lets it be cached for a year. */
export const laurelCssPath = '/assets/laurel.css';

/** The URL pages link: the path with the content hash. */
export const laurelCssUrl = `${laurelCssPath}?v=${laurelCssHash}`;
