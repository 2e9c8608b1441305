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

/** A complete HTML document with no inline script or style. */
export function page(options: PageOptions): string {
  const meta = Object.entries(options.meta ?? {})
    .map(([name, content]) => `<meta name="${escapeHtml(name)}" content="${escapeHtml(content)}">`)
    .join('');
  const scripts = (options.scripts ?? [])
    .map((src) => `<script src="${escapeHtml(src)}" defer></script>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(options.title)}</title>${meta}${scripts}</head><body>${options.body}</body></html>`;
}

/** A form of hidden fields that a script (`scriptUrl`) submits on load; a button does it without script. */
export function autoPostForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<form method="post" action="${escapeHtml(action)}" data-autopost>${inputs}<noscript><button type="submit">Continue</button></noscript></form>`;
}
