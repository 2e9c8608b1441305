import { gunzipSync, gzipSync } from 'node:zlib';
import { AppError } from '../errors.js';
import { VC_V2_CONTEXT } from './document-loader.js';
import type { Credential } from './sign.js';

/** Bitstring Status List §3.1: at least 131,072 entries (16 KiB) so one index says little about its holder. */
export const MIN_STATUS_LIST_LENGTH = 131_072;

// Decompressed lists larger than this are refused (a gzip bomb guard); 16 Mi entries.
const MAX_LIST_BYTES = 2 * 1024 * 1024;

export type StatusPurpose = 'revocation' | 'suspension' | 'message';

/**
 * Laurel's `message` list (statusSize 2): one entry says valid, revoked or suspended, so a credential carries
 * both in the one `credentialStatus` object OB 3.0 allows. Bitstring Status List §3.2 makes every non-zero
 * value invalid, so a verifier that knows nothing of these messages still refuses revoked and suspended ones.
 */
export const STATUS_VALUE = { valid: 0, revoked: 1, suspended: 2 } as const;
export const STATUS_MESSAGE_SIZE = 2;
export const STATUS_MESSAGES: readonly { status: string; message: string }[] = [
  { status: '0x0', message: 'valid' },
  { status: '0x1', message: 'revoked' },
  { status: '0x2', message: 'suspended' },
  // Never written; the spec's word for a value with no meaning (yet).
  { status: '0x3', message: 'undefined' },
];

/** A fresh list of `length` entries (a multiple of 8) of `size` bits each, all 0. */
export function createBitstring(length = MIN_STATUS_LIST_LENGTH, size = 1): Uint8Array {
  if (length % 8 !== 0 || length < MIN_STATUS_LIST_LENGTH)
    throw new AppError(
      'ERR_CREDENTIAL_INVALID',
      `status list length must be a multiple of 8, >= ${MIN_STATUS_LIST_LENGTH}`,
    );
  return new Uint8Array((length / 8) * size);
}

/** Bit `index` of the list; index 0 is the most significant bit of the first byte (§3.2). */
export function getStatus(bits: Uint8Array, index: number): boolean {
  checkIndex(bits, index);
  return ((bits[index >> 3]! >> (7 - (index & 7))) & 1) === 1;
}

/** Sets bit `index` of the list to `value` (in place). */
export function setStatus(bits: Uint8Array, index: number, value: boolean): void {
  checkIndex(bits, index);
  const mask = 1 << (7 - (index & 7));
  bits[index >> 3] = value ? bits[index >> 3]! | mask : bits[index >> 3]! & ~mask;
}

/**
 * The value of entry `index` of a list of `size`-bit entries: the bits from `index * size`, the first the
 * most significant (Bitstring Status List §3.2).
 */
export function getStatusValue(bits: Uint8Array, index: number, size: number): number {
  checkIndex(bits, index * size + size - 1);
  let value = 0;
  for (let bit = index * size; bit < (index + 1) * size; bit++)
    value = (value << 1) | Number(getStatus(bits, bit));
  return value;
}

/** Sets entry `index` of a list of `size`-bit entries to `value` (in place). */
export function setStatusValue(bits: Uint8Array, index: number, size: number, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** size)
    throw new AppError('ERR_CREDENTIAL_INVALID', `status value ${value} does not fit ${size} bits`);
  checkIndex(bits, index * size + size - 1);
  for (let bit = 0; bit < size; bit++)
    setStatus(bits, index * size + bit, ((value >> (size - 1 - bit)) & 1) === 1);
}

/** The `encodedList` value: multibase base64url (no padding) of the GZIP-compressed bitstring. */
export function encodeList(bits: Uint8Array): string {
  return `u${gzipSync(bits).toString('base64url')}`;
}

/**
 * Decodes an `encodedList`.
 * @throws AppError ERR_VERIFY_STATUS_UNAVAILABLE when it is not multibase base64url GZIP data.
 */
export function decodeList(encoded: string): Uint8Array {
  if (!encoded.startsWith('u'))
    throw new AppError('ERR_VERIFY_STATUS_UNAVAILABLE', 'encodedList must be multibase base64url (u...)');
  try {
    return new Uint8Array(
      gunzipSync(Buffer.from(encoded.slice(1), 'base64url'), { maxOutputLength: MAX_LIST_BYTES }),
    );
  } catch (error) {
    throw new AppError('ERR_VERIFY_STATUS_UNAVAILABLE', 'encodedList is not valid GZIP data', {
      cause: error,
    });
  }
}

/**
 * A random index in [0, length) from `random` bytes (injected); callers retry on collision, so indexes are
 * not sequential (herd privacy, Bitstring Status List §6.1).
 */
export function randomIndex(length: number, random: (size: number) => Uint8Array): number {
  const bytes = random(4);
  const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return value % length;
}

export interface StatusListCredentialInput {
  /** URL where the list is served (`<baseUrl>/status/<id>`). */
  id: string;
  issuer: string;
  validFrom: Date;
  /** How long verifiers may cache it. */
  validUntil?: Date;
  statusPurpose: StatusPurpose;
  bits: Uint8Array;
}

/** An unsigned BitstringStatusListCredential (VCDM 2.0) for `input`. */
export function buildStatusListCredential(input: StatusListCredentialInput): Credential {
  const toDateTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    '@context': [VC_V2_CONTEXT],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: toDateTime(input.validFrom),
    ...(input.validUntil ? { validUntil: toDateTime(input.validUntil) } : {}),
    credentialSubject: {
      id: `${input.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.statusPurpose,
      encodedList: encodeList(input.bits),
    },
  };
}

function checkIndex(bits: Uint8Array, index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= bits.length * 8)
    throw new AppError('ERR_VERIFY_STATUS_UNAVAILABLE', `statusListIndex ${index} is outside the list`);
}
