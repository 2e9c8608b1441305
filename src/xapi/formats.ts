/**
 * The special data types of xAPI (1.0.3 Data 4; 2.0 / IEEE 9274.1.1 §4.2.7): IRIs, UUIDs, timestamps,
 * durations, language tags, mailto IRIs, SHA-1 sums and versions. Pure predicates, no I/O.
 */

// RFC 3987 IRI: a scheme, a colon and at least one character; no whitespace, controls or the characters
// RFC 3987 §2.2 excludes outright. Hosts and paths are not checked further (the spec asks for an absolute IRI).
const iriPattern = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`\p{Cc}]+$/u;

/** An absolute IRI (RFC 3987). */
export function isIri(value: string): boolean {
  return value.length <= 8192 && iriPattern.test(value);
}

/** An IRL: an IRI meant to be dereferenced; xAPI asks for an absolute IRI with a scheme. */
export function isIrl(value: string): boolean {
  return isIri(value);
}

// RFC 4122 / RFC 9562: versions 1-8 with the RFC variant (Data 4.1 "UUID ... RFC 4122").
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

// ISO 8601 / RFC 3339 date-time with a timezone. xAPI 2.0 §4.2.7 and the 1.0.3 suite reject the
// "unknown local offset" forms -00, -0000 and -00:00.
const timestampPattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** An ISO 8601 timestamp with a timezone; returns the instant in ms, or undefined when invalid. */
export function parseTimestamp(value: string): number | undefined {
  const m = timestampPattern.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone, sign, oh = '00', om = '00'] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(Number(y), month)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60 || Number(oh) > 23 || Number(om) > 59)
    return undefined;
  if (sign === '-' && oh === '00' && om === '00') return undefined;
  const offsetMin =
    zone === 'Z' || zone === 'z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const utc = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Math.min(Number(s), 59), ms);
  return utc - offsetMin * 60_000;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// ISO 8601:2004 §4.4.3.2 durations as the suite reads them: PnYnMnDTnHnMnS (any part), or PnW alone.
const durationPattern =
  /^P(?:\d+(?:\.\d+)?W|(?=\d|T\d)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$/;

export function isDuration(value: string): boolean {
  return value.length <= 128 && durationPattern.test(value);
}

// RFC 5646 language tags (langtag, privateuse and the grandfathered tags), case-insensitive.
const languageTagPattern = new RegExp(
  [
    '^(?:',
    '(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})', // language (with extlangs)
    '(?:-[a-z]{4})?', // script
    '(?:-(?:[a-z]{2}|\\d{3}))?', // region
    '(?:-(?:[a-z\\d]{5,8}|\\d[a-z\\d]{3}))*', // variants
    '(?:-[\\da-wy-z](?:-[a-z\\d]{2,8})+)*', // extensions
    '(?:-x(?:-[a-z\\d]{1,8})+)?', // private use
    '|x(?:-[a-z\\d]{1,8})+', // private use only
    '|en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu',
    '|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang',
    ')$',
  ].join(''),
  'i',
);

export function isLanguageTag(value: string): boolean {
  return value.length <= 128 && languageTagPattern.test(value);
}

const mailtoPattern = /^mailto:[^@\s:/?#]+@[^@\s/?#]+$/i;

/** `mailto:` followed by an email address (Data 2.4.2.3 mbox). */
export function isMailto(value: string): boolean {
  return value.length <= 512 && mailtoPattern.test(value);
}

export function isSha1Hex(value: string): boolean {
  return /^[0-9a-f]{40}$/i.test(value);
}

export function isSha2Hex(value: string): boolean {
  return /^(?:[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/i.test(value);
}

// RFC 6838 type/subtype, parameters allowed.
const mediaTypePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(?:\s*;.*)?$/i;

export function isMediaType(value: string): boolean {
  return value.length <= 1024 && mediaTypePattern.test(value);
}

/** The xAPI versions Laurel speaks: 1.0.x (1.0.3) and 2.0.x (IEEE 9274.1.1). */
export type XapiVersion = '1.0.3' | '2.0.0';

/** Reads a version string (a statement's `version` or the X-Experience-API-Version header). */
export function parseVersion(value: string): XapiVersion | undefined {
  if (/^1\.0(?:\.\d+)?$/.test(value)) return '1.0.3';
  if (/^2\.0(?:\.\d+)?$/.test(value)) return '2.0.0';
  return undefined;
}
