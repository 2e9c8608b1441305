import { AppError } from '../errors.js';

/** The largest achievement image accepted (OB 3.0 images are shown small; baking adds the credential). */
export const imageLimits = { maxBytes: 256 * 1024, maxSvgChars: 256 * 1024 } as const;

export type ImageType = 'image/png' | 'image/svg+xml';

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function refuse(message: string, rule: string): never {
  throw new AppError('ERR_BADGE_IMAGE_INVALID', message, { details: { rule } });
}

function checkPng(bytes: Buffer): void {
  // PNG §5.2 signature, then the IHDR chunk first (§11.2.2).
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(pngSignature)) {
    refuse('image is not a PNG: the 8-byte PNG signature is missing', 'png-signature');
  }
  if (bytes.subarray(12, 16).toString('latin1') !== 'IHDR') {
    refuse('image is not a PNG: the first chunk must be IHDR', 'png-ihdr');
  }
}

// What an SVG badge image must not hold: it is served to browsers and baked into credentials, so anything that
// runs, loads or expands is refused rather than stripped (the uploader fixes the file; nothing is silently lost).
const svgRefusals: [RegExp, string, string][] = [
  [/<!DOCTYPE|<!ENTITY/i, 'entities', 'SVG must not declare a DOCTYPE or entities'],
  [/<\?xml-stylesheet/i, 'external', 'SVG must not reference stylesheets'],
  [/<\s*(?:[a-z]+:)?script\b/i, 'script', 'SVG must not contain <script>'],
  [/<\s*(?:[a-z]+:)?foreignObject\b/i, 'script', 'SVG must not contain <foreignObject>'],
  [
    /<\s*(?:[a-z]+:)?(?:iframe|embed|object|audio|video|handler|listener)\b/i,
    'script',
    'SVG must not embed documents or handlers',
  ],
  [/\son[a-z]+\s*=/i, 'event-handler', 'SVG must not carry event handler attributes (on...)'],
  [/javascript:|vbscript:/i, 'script', 'SVG must not contain script URLs'],
  [/@import/i, 'external', 'SVG styles must not @import'],
  [/url\(\s*['"]?(?!#)/i, 'external', 'SVG url() must reference a fragment (#id) only'],
  [/image-set\(|expression\(/i, 'external', 'SVG styles must not load images or run expressions'],
  // CSS escapes (`\75 rl(`) would hide a url() from the check above.
  [/\\[0-9a-f]/i, 'external', 'SVG must not use CSS escapes'],
  [
    /<\s*(?:[a-z]+:)?(?:set|animate)\b[^>]*attributeName\s*=\s*['"]?(?:xlink:)?href/i,
    'external',
    'SVG must not animate links',
  ],
];

const hrefPattern = /(?:xlink:)?href\s*=\s*(["'])(.*?)\1/gi;

function checkSvg(bytes: Buffer): void {
  const text = bytes.toString('utf8');
  if (text.length > imageLimits.maxSvgChars) refuse('SVG is too long', 'size');
  const start = text.replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*/, '');
  for (const [pattern, rule, message] of svgRefusals) if (pattern.test(text)) refuse(message, rule);
  if (!/^<svg[\s>]/.test(start)) refuse('image is not an SVG: the root element must be <svg>', 'svg-root');
  for (const match of text.matchAll(hrefPattern)) {
    const target = match[2]!.trim();
    if (!target.startsWith('#') && !/^data:image\/(?:png|jpeg|gif|webp);base64,/i.test(target)) {
      refuse(
        `SVG links must be fragments (#id) or embedded raster data, not ${target.slice(0, 60)}`,
        'external',
      );
    }
  }
}

/**
 * Checks an uploaded achievement image: PNG by signature and IHDR, or an SVG holding no script, event handler,
 * external reference or entity. Returns the media type to store.
 * @throws ERR_BADGE_IMAGE_INVALID (400) naming the rule broken; ERR_BODY_TOO_LARGE (413) over the size limit.
 */
export function checkAchievementImage(bytes: Buffer, contentType: string): ImageType {
  if (bytes.length > imageLimits.maxBytes) {
    throw new AppError('ERR_BODY_TOO_LARGE', `image is larger than ${imageLimits.maxBytes} bytes`);
  }
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'image/png') checkPng(bytes);
  else if (type === 'image/svg+xml') checkSvg(bytes);
  else refuse('image must be image/png or image/svg+xml', 'media-type');
  return type;
}
