import { laurelCssUrl } from './styles.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export interface PageOptions {
  title: string;
  /** Already-escaped body HTML. */
  body: string;
  /** Script URLs (served as files: the CSP allows 'self' only, never inline script). */
  scripts?: string[];
  /** `<meta name=... content=...>` pairs a script reads (escaped here). */
  meta?: Record<string, string>;
}

/** Laurel's icon, served by the install routes (it is also the LTI manifest's icon). */
const iconPath = '/assets/laurel-icon.svg';

/**
 * One of Laurel's pages: a complete HTML document with no inline script or style, Laurel's stylesheet, a small
 * header naming Laurel (the page usually sits inside an LMS frame), and the body in one readable column.
 */
export function page(options: PageOptions): string {
  return htmlDocument({
    ...options,
    styles: [laurelCssUrl],
    body: `<header class="site-header"><img src="${iconPath}" alt="" width="24" height="24"><span>Laurel</span></header><div class="page">${options.body}</div>`,
  });
}

/**
 * A bare HTML document with no inline script or style, and no stylesheet unless given: for pages that are not
 * Laurel's (the platform emulator's, served from other origins).
 */
export function htmlDocument(options: PageOptions & { styles?: string[] }): string {
  const meta = Object.entries(options.meta ?? {})
    .map(([name, content]) => `<meta name="${escapeHtml(name)}" content="${escapeHtml(content)}">`)
    .join('');
  const styles = (options.styles ?? [])
    .map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`)
    .join('');
  const scripts = (options.scripts ?? [])
    .map((src) => `<script src="${escapeHtml(src)}" defer></script>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(options.title)}</title>${styles}${meta}${scripts}</head><body>${options.body}</body></html>`;
}

/** A form of hidden fields that a script (`scriptUrl`) submits on load; a button does it without script. */
export function autoPostForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<form method="post" action="${escapeHtml(action)}" data-autopost>${inputs}<noscript><button type="submit">Continue</button></noscript></form>`;
}
