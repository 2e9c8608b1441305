import { decodeList, getStatusValue } from './status-list.js';
import type { VerificationReport, VerifyOptions } from './verify.js';

type Json = Record<string, unknown>;
type Verify = (input: unknown, options: VerifyOptions) => Promise<VerificationReport>;

/**
 * The status check: a BitstringStatusListEntry is looked up in its (verified) status list credential.
 * Entries of other types fail: their status cannot be known.
 */
export async function checkStatus(
  credential: Json,
  issuerId: string | undefined,
  options: VerifyOptions,
  verify: Verify,
): Promise<{ valid: boolean; message: string }> {
  const raw = credential.credentialStatus;
  if (raw === undefined) return { valid: true, message: 'no credentialStatus' };
  const entries = (Array.isArray(raw) ? raw : [raw]) as unknown[];
  const messages: string[] = [];
  for (const entry of entries) {
    const result = await checkEntry(entry, credential.id, issuerId, options, verify);
    if (!result.valid) return result;
    messages.push(result.message);
  }
  return { valid: true, message: messages.join('; ') };
}

/**
 * 1EdTech Revocation List: revoked when the credential's id is listed (and `revoked` is not false). Like the
 * 1EdTech validator, a list that cannot be fetched is a warning, not a failure.
 */
async function checkRevocationList(
  status: Json,
  credentialId: unknown,
  options: VerifyOptions,
): Promise<{ valid: boolean; message: string }> {
  const url = status.id;
  if (typeof url !== 'string') return { valid: false, message: '1EdTechRevocationList needs an id' };
  let list: unknown;
  try {
    if (!options.fetchStatusList) throw new Error('fetching is not enabled');
    list = await options.fetchStatusList(url);
  } catch (error) {
    return {
      valid: true,
      message: `warning: revocation list ${url} could not be fetched (${(error as Error).message})`,
    };
  }
  const revoked = (list as Json | null)?.revokedCredentials;
  const hit = Array.isArray(revoked)
    ? revoked.find((item) => (item as Json)?.id === credentialId && (item as Json)?.revoked !== false)
    : undefined;
  return hit ? { valid: false, message: 'revoked' } : { valid: true, message: 'not revoked' };
}

async function checkEntry(
  entry: unknown,
  credentialId: unknown,
  issuerId: string | undefined,
  options: VerifyOptions,
  verify: Verify,
): Promise<{ valid: boolean; message: string }> {
  if (typeof entry !== 'object' || entry === null)
    return { valid: false, message: 'credentialStatus is not an object' };
  const status = entry as Json;
  if (status.type === '1EdTechRevocationList') return checkRevocationList(status, credentialId, options);
  if (status.type !== 'BitstringStatusListEntry')
    return {
      valid: false,
      message: `credentialStatus type ${String(status.type)} is not supported: status unknown`,
    };
  const purpose = status.statusPurpose;
  const listUrl = status.statusListCredential;
  const index = Number(status.statusListIndex);
  if (typeof listUrl !== 'string' || !Number.isSafeInteger(index) || index < 0 || typeof purpose !== 'string')
    return {
      valid: false,
      message: 'credentialStatus needs statusPurpose, statusListIndex and statusListCredential',
    };
  const size = status.statusSize ?? 1;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 8)
    return { valid: false, message: 'credentialStatus statusSize must be an integer from 1 to 8' };
  const messages = statusMessages(status.statusMessage, size);
  if (messages === undefined)
    return {
      valid: false,
      message: `credentialStatus statusMessage must list ${2 ** size} {status, message} objects`,
    };
  if (!options.fetchStatusList) return { valid: false, message: `status list ${listUrl} was not fetched` };
  let list: unknown;
  try {
    list = await options.fetchStatusList(listUrl);
  } catch (error) {
    return {
      valid: false,
      message: `status list ${listUrl} could not be fetched: ${(error as Error).message}`,
    };
  }
  const listReport = await verify(list, {
    ...options,
    skipStatus: true,
    schemaCheck: undefined,
    expectedTypes: ['BitstringStatusListCredential'],
  });
  if (!listReport.verified) {
    const failed = listReport.checks.find((c) => !c.valid);
    return {
      valid: false,
      message: `status list ${listUrl} does not verify: ${failed?.check}: ${failed?.message}`,
    };
  }
  const subject = (list as Json).credentialSubject as Json | undefined;
  const listIssuer = (list as Json).issuer;
  const listIssuerId = typeof listIssuer === 'string' ? listIssuer : (listIssuer as Json | undefined)?.id;
  if (listIssuerId !== issuerId)
    return {
      valid: false,
      message: `status list ${listUrl} is issued by ${String(listIssuerId)}, not the issuer`,
    };
  const listPurposes = Array.isArray(subject?.statusPurpose)
    ? subject.statusPurpose
    : [subject?.statusPurpose];
  if (!listPurposes.includes(purpose))
    return {
      valid: false,
      message: `status list ${listUrl} is for ${String(subject?.statusPurpose)}, not ${purpose}`,
    };
  try {
    const value = getStatusValue(decodeList(String(subject!.encodedList)), index, size);
    // Bitstring Status List §3.2: 0 is valid, any other value is not.
    if (value === 0)
      return {
        valid: true,
        message: messages ? String(messages[0]) : `not ${purpose === 'revocation' ? 'revoked' : purpose}`,
      };
    return { valid: false, message: messages ? String(messages[value]) : setMessage(purpose) };
  } catch (error) {
    return { valid: false, message: (error as Error).message };
  }
}

function setMessage(purpose: string): string {
  if (purpose === 'revocation') return 'revoked';
  if (purpose === 'suspension') return 'suspended';
  return `${purpose} bit is set`;
}

/**
 * The messages of `statusMessage` by value (null when absent and statusSize is 1), or undefined when the entry
 * breaks §2.1: more than one bit needs one {status: '0x..', message} per value.
 */
function statusMessages(raw: unknown, size: number): string[] | undefined | null {
  if (raw === undefined) return size === 1 ? null : undefined;
  if (!Array.isArray(raw) || raw.length !== 2 ** size) return undefined;
  const messages: string[] = [];
  for (const item of raw as Json[]) {
    if (!/^0x[0-9a-f]+$/i.test(String(item?.status)) || typeof item.message !== 'string') return undefined;
    const value = Number.parseInt(String(item.status).slice(2), 16);
    if (value >= 2 ** size) return undefined;
    messages[value] = item.message;
  }
  return messages.length === 2 ** size && !messages.includes(undefined as never) ? messages : undefined;
}
