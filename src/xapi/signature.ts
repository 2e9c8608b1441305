import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { AppError } from '../errors.js';
import { statementsEquivalent } from './equivalence.js';
import type { Statement } from './types.js';

export const signatureUsageType = 'http://adlnet.gov/expapi/attachments/signature';
const algorithms = new Set(['RS256', 'RS384', 'RS512']);

function invalid(path: string, rule: string, cause?: unknown): AppError {
  return new AppError('ERR_XAPI_INVALID_STATEMENT', `${path}: ${rule}`, { cause, details: { path, rule } });
}

/**
 * Checks a signed statement (1.0.3 Data 2.6; 2.0 §4.2.6): a compact JWS with RS256/384/512 whose payload is
 * the statement as it was before the signature attachment was added. When the header carries `x5c`, the
 * signature is verified with that certificate's key.
 * @throws ERR_XAPI_INVALID_STATEMENT naming `path` (the signature attachment).
 */
export async function verifyStatementSignature(
  statement: Statement,
  jws: Buffer,
  path: string,
): Promise<void> {
  const compact = jws.toString('utf8').trim();
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: unknown;
  try {
    header = decodeProtectedHeader(compact);
    const [, body = ''] = compact.split('.');
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(path, 'the signature is not a compact JWS with a JSON payload', error);
  }
  if (compact.split('.').length !== 3) throw invalid(path, 'the signature is not a compact JWS');
  if (!algorithms.has(String(header.alg)))
    throw invalid(path, 'the JWS algorithm must be RS256, RS384 or RS512');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw invalid(path, 'the JWS payload must be the statement');
  }
  const unsigned: Statement = { ...statement };
  const others = (statement.attachments ?? []).filter((a) => a.usageType !== signatureUsageType);
  if (others.length > 0) unsigned.attachments = others;
  else delete unsigned.attachments;
  const signed = { ...(payload as Statement) };
  if (signed.id === undefined) delete unsigned.id;
  if (!statementsEquivalent(signed, unsigned)) {
    throw invalid(path, 'the JWS payload does not match the statement');
  }
  const certificate = Array.isArray(header.x5c) ? header.x5c[0] : undefined;
  if (certificate !== undefined) {
    try {
      const pem = `-----BEGIN CERTIFICATE-----\n${certificate}\n-----END CERTIFICATE-----`;
      await compactVerify(compact, await importX509(pem, String(header.alg)));
    } catch (error) {
      throw invalid(path, 'the JWS signature does not verify with its x5c certificate', error);
    }
  }
}
