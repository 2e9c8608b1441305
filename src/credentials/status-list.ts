import { gunzipSync, gzipSync } from 'node:zlib';
import { AppError } from '../errors.js';
import { VC_V2_CONTEXT } from './document-loader.js';
import type { Credential } from './sign.js';

/** Bitstring Status List §3.1: at least 131,072 entries (16 KiB) so one index says little about its holder. */
export const MIN_STATUS_LIST_LENGTH = 131_072;

// Decompressed lists larger than this are refused (a gzip bomb guard); 16 Mi entries.
const MAX_LIST_BYTES = 2 * 1024 * 1024;

export type StatusPurpose = 'revocation' | 'suspension';

/** A fresh list of `length` entries (a multiple of 8), all 0. */
export function createBitstring(length = MIN_STATUS_LIST_LENGTH): Uint8Array {
  if (length % 8 !== 0 || length < MIN_STATUS_LIST_LENGTH)
    throw new AppError(
      'ERR_CREDENTIAL_INVALID',
      `status list length must be a multiple of 8, >= ${MIN_STATUS_LIST_LENGTH}`,
    );
  return new Uint8Array(length / 8);
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
