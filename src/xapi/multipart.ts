import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';

/** One part of a multipart/mixed body (RFC 2046 §5.1): lower-cased headers and the raw bytes. */
export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

function invalid(path: string, rule: string): AppError {
  return new AppError('ERR_XAPI_INVALID_REQUEST', `${path}: ${rule}`, { details: { path, rule } });
}

/** The boundary parameter of a multipart Content-Type, or undefined. */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /^multipart\/mixed\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(
    contentType,
  );
  return match ? (match[1] ?? match[2]) : undefined;
}

const crlf = Buffer.from('\r\n');

/** Splits a multipart/mixed body into parts. @throws ERR_XAPI_INVALID_REQUEST when malformed. */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw invalid('body', 'multipart/mixed body has no boundary delimiter');
  const parts: Part[] = [];
  for (;;) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break; // "--": the close delimiter
    const lineEnd = body.indexOf(crlf, at);
    if (lineEnd < 0) throw invalid('body', 'multipart/mixed part is truncated');
    const start = lineEnd + 2;
    const end = body.indexOf(next, start);
    if (end < 0) throw invalid('body', 'multipart/mixed body has no closing delimiter');
    parts.push(readPart(body.subarray(start, end)));
    at = end + 2;
    if (parts.length > 1000) throw invalid('body', 'too many multipart parts');
  }
  return parts;
}

function readPart(raw: Buffer): Part {
  const headers: Record<string, string> = {};
  if (raw.subarray(0, 2).equals(crlf)) return { headers, body: raw.subarray(2) };
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) throw invalid('body', 'multipart/mixed part has no header/body separator');
  for (const line of raw.subarray(0, headerEnd).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalid('body', `multipart/mixed part header "${line.slice(0, 40)}" is malformed`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: raw.subarray(headerEnd + 4) };
}

const sha2ByLength: Record<number, string> = { 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

/** The hex SHA-2 of `content` in the same length (224/256/384/512) as `like`. */
export function sha2Like(like: string, content: Buffer): string | undefined {
  const algorithm = sha2ByLength[like.length];
  return algorithm ? createHash(algorithm).update(content).digest('hex') : undefined;
}

/** Builds a multipart/mixed body: the JSON first, then each attachment with its hash (Communication 2.1.3). */
export function buildMultipart(
  boundary: string,
  json: unknown,
  attachments: { sha2: string; contentType: string; content: Buffer }[],
): Buffer {
  const chunks: Buffer[] = [
    Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}`),
  ];
  for (const attachment of attachments) {
    chunks.push(
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Type: ${attachment.contentType}\r\nContent-Transfer-Encoding: binary\r\n` +
          `X-Experience-API-Hash: ${attachment.sha2}\r\n\r\n`,
      ),
      attachment.content,
    );
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
