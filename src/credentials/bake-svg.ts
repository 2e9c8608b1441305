import { AppError } from '../errors.js';

// Open Badges 3.0 §5.3.2 (Baking, SVG): the namespace, and one <openbadges:credential> holding the credential.
export const OB_SVG_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';

const invalid = (message: string) => new AppError('ERR_CREDENTIAL_BAKE_INVALID_IMAGE', `SVG: ${message}`);

/**
 * Refuses SVG that Laurel will not process: entity declarations or an internal DTD subset (entity
 * expansion), scripts, event handler attributes, and anything without an <svg> root.
 * @throws AppError ERR_CREDENTIAL_BAKE_INVALID_IMAGE
 */
export function checkSvg(svg: string): void {
  // CDATA holds text, not markup (a credential's narrative may say anything): check the markup around it.
  const markup = svg.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  if (/<!ENTITY/i.test(markup)) throw invalid('entity declarations are not allowed');
  if (/<!DOCTYPE[^>[]*\[/i.test(markup)) throw invalid('an internal DTD subset is not allowed');
  if (/<(\w+:)?script[\s>/]/i.test(markup)) throw invalid('scripts are not allowed');
  if (/\son[a-z]+\s*=/i.test(markup)) throw invalid('event handler attributes are not allowed');
  if (/(href|src)\s*=\s*["']\s*javascript:/i.test(markup)) throw invalid('javascript: URLs are not allowed');
  if (!/<svg[\s>]/.test(markup)) throw invalid('no <svg> root element');
}

function cdata(text: string): string {
  // "]]>" cannot appear inside CDATA: split it across two sections.
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function namespacePrefix(svg: string): string | undefined {
  const match = new RegExp(
    `xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${OB_SVG_NAMESPACE.replaceAll('.', '\\.')}["']`,
  ).exec(svg);
  return match?.[1];
}

/**
 * Bakes `credential` (JSON text or compact JWT) into `svg`, replacing any credential already there.
 * @throws AppError ERR_CREDENTIAL_BAKE_INVALID_IMAGE
 */
export function bakeSvg(svg: string, credential: string): string {
  checkSvg(svg);
  const prefix = namespacePrefix(svg) ?? 'openbadges';
  const element = new RegExp(`<${prefix}:credential[\\s\\S]*?(</${prefix}:credential>|/>)\\s*`, 'g');
  let result = svg.replace(element, '');
  const root = /<svg\b[^>]*>/.exec(result);
  if (!root) throw invalid('no <svg> root element');
  let open = root[0];
  if (!namespacePrefix(open)) open = open.replace(/^<svg\b/, `<svg xmlns:${prefix}="${OB_SVG_NAMESPACE}"`);
  const baked = `${open}\n  <${prefix}:credential>${cdata(credential)}</${prefix}:credential>`;
  result = result.slice(0, root.index) + baked + result.slice(root.index + root[0].length);
  return result;
}

/**
 * The credential text baked into `svg` (CDATA or escaped text).
 * @throws AppError ERR_CREDENTIAL_BAKE_INVALID_IMAGE (unsafe SVG), ERR_CREDENTIAL_NOT_BAKED (none, or several)
 */
export function unbakeSvg(svg: string): string {
  checkSvg(svg);
  const prefix = namespacePrefix(svg);
  if (!prefix)
    throw new AppError('ERR_CREDENTIAL_NOT_BAKED', `SVG does not declare the namespace ${OB_SVG_NAMESPACE}`);
  const element = new RegExp(`<${prefix}:credential(\\s[^>]*)?>([\\s\\S]*?)</${prefix}:credential>`, 'g');
  const found = [...svg.matchAll(element)];
  if (found.length !== 1)
    throw new AppError(
      'ERR_CREDENTIAL_NOT_BAKED',
      `SVG has ${found.length} <${prefix}:credential> elements, not one`,
    );
  return readText(found[0]![2]!).trim();
}

function readText(content: string): string {
  let text = '';
  const parts = content.split(/(<!\[CDATA\[[\s\S]*?\]\]>)/);
  for (const part of parts) {
    if (part.startsWith('<![CDATA[')) text += part.slice(9, -3);
    else {
      if (part.includes('<')) throw invalid('the credential element must hold only text or CDATA');
      text += part
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&quot;', '"')
        .replaceAll('&apos;', "'")
        .replaceAll('&amp;', '&');
    }
  }
  return text;
}
