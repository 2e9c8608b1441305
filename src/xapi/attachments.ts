import { AppError } from '../errors.js';
import { multipartBoundary, type Part, parseMultipart, sha2Like } from './multipart.js';
import { signatureUsageType, verifyStatementSignature } from './signature.js';
import type { Attachment, Statement } from './types.js';

export interface AttachmentContent {
  sha2: string;
  contentType: string;
  content: Buffer;
}

function invalid(path: string, rule: string): AppError {
  return new AppError('ERR_XAPI_ATTACHMENT_MISSING', `${path}: ${rule}`, { details: { path, rule } });
}

/** Splits a multipart/mixed statement request into the JSON part and the attachment parts. */
export function readStatementMultipart(body: Buffer, contentType: string): { json: unknown; parts: Part[] } {
  const fail = (rule: string) =>
    new AppError('ERR_XAPI_INVALID_REQUEST', `body: ${rule}`, { details: { path: 'body', rule } });
  const boundary = multipartBoundary(contentType);
  if (!boundary) throw fail('multipart/mixed needs a boundary parameter');
  const [first, ...parts] = parseMultipart(body, boundary);
  if (!first || !/^application\/json\s*(;|$)/i.test(first.headers['content-type'] ?? '')) {
    throw fail('the first part of a multipart/mixed request must be application/json statements');
  }
  try {
    return { json: JSON.parse(first.body.toString('utf8')), parts };
  } catch {
    throw fail('the first part is not valid JSON');
  }
}

function allAttachments(
  statements: Statement[],
): { attachment: Attachment; path: string; statement: Statement }[] {
  const out: { attachment: Attachment; path: string; statement: Statement }[] = [];
  statements.forEach((statement, i) => {
    const prefix = statements.length > 1 ? `[${i}].` : '';
    statement.attachments?.forEach((attachment, j) => {
      out.push({ attachment, statement, path: `${prefix}attachments[${j}]` });
    });
    if (statement.object.objectType === 'SubStatement') {
      statement.object.attachments?.forEach((attachment, j) => {
        out.push({ attachment, statement, path: `${prefix}object.attachments[${j}]` });
      });
    }
  });
  return out;
}

/**
 * Matches attachment parts to the statements' attachment metadata (Data 2.4.11, Communication 1.5.2):
 * every part carries X-Experience-API-Hash and Content-Transfer-Encoding: binary, its content hashes to it
 * and it belongs to an attachment; every attachment without fileUrl has its part; signatures verify.
 * @throws ERR_XAPI_ATTACHMENT_MISSING, ERR_XAPI_INVALID_REQUEST, ERR_XAPI_INVALID_STATEMENT.
 */
export async function matchAttachments(statements: Statement[], parts: Part[]): Promise<AttachmentContent[]> {
  const byHash = new Map<string, AttachmentContent>();
  parts.forEach((part, i) => {
    const path = `body.part[${i + 1}]`;
    const hash = part.headers['x-experience-api-hash']?.toLowerCase();
    if (!hash)
      throw new AppError('ERR_XAPI_INVALID_REQUEST', `${path}: X-Experience-API-Hash header is required`);
    if ((part.headers['content-transfer-encoding'] ?? '').toLowerCase() !== 'binary') {
      throw new AppError('ERR_XAPI_INVALID_REQUEST', `${path}: Content-Transfer-Encoding must be binary`);
    }
    if (sha2Like(hash, part.body) !== hash) {
      throw new AppError(
        'ERR_XAPI_INVALID_REQUEST',
        `${path}: the content does not match X-Experience-API-Hash`,
      );
    }
    byHash.set(hash, {
      sha2: hash,
      contentType: part.headers['content-type'] ?? 'application/octet-stream',
      content: part.body,
    });
  });
  const used = new Set<string>();
  for (const { attachment, path, statement } of allAttachments(statements)) {
    const hash = attachment.sha2.toLowerCase();
    const content = byHash.get(hash);
    if (content) used.add(hash);
    if (!content && attachment.fileUrl === undefined) {
      throw invalid(
        path,
        'an attachment without fileUrl needs a multipart part with its X-Experience-API-Hash',
      );
    }
    if (attachment.usageType === signatureUsageType) {
      if (!/^application\/octet-stream\s*(;|$)/i.test(attachment.contentType)) {
        throw new AppError(
          'ERR_XAPI_INVALID_STATEMENT',
          `${path}.contentType: a signature is application/octet-stream`,
          {
            details: { path: `${path}.contentType` },
          },
        );
      }
      if (content) await verifyStatementSignature(statement, content.content, path);
    }
  }
  for (const hash of byHash.keys()) {
    if (!used.has(hash)) {
      throw new AppError(
        'ERR_XAPI_INVALID_REQUEST',
        `body: part ${hash} matches no attachment of the statements`,
      );
    }
  }
  return [...byHash.values()];
}
