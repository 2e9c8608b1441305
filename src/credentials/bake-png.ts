import { crc32, inflateSync } from 'node:zlib';
import { AppError } from '../errors.js';

// Open Badges 3.0 §5.3.1 (Baking, PNG): one iTXt chunk with this keyword, the credential uncompressed.
const KEYWORD = 'openbadgecredential';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_TEXT_BYTES = 1024 * 1024;

interface Chunk {
  type: string;
  data: Buffer;
}

const invalid = (message: string) => new AppError('ERR_CREDENTIAL_BAKE_INVALID_IMAGE', `PNG: ${message}`);

/**
 * Reads the chunks of a PNG, checking the signature, each length, and each CRC.
 * @throws AppError ERR_CREDENTIAL_BAKE_INVALID_IMAGE
 */
export function readPngChunks(png: Uint8Array): Chunk[] {
  const buffer = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(PNG_SIGNATURE))
    throw invalid('not a PNG (bad signature)');
  const chunks: Chunk[] = [];
  let offset = 8;
  while (offset < buffer.length) {
    if (offset + 12 > buffer.length) throw invalid(`truncated chunk at byte ${offset}`);
    const length = buffer.readUInt32BE(offset);
    if (length > 0x7fffffff || offset + 12 + length > buffer.length)
      throw invalid(`chunk length ${length} at byte ${offset} runs past the end`);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) throw invalid(`invalid chunk type at byte ${offset}`);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    const crc = buffer.readUInt32BE(offset + 8 + length);
    if (crc32(buffer.subarray(offset + 4, offset + 8 + length)) !== crc)
      throw invalid(`CRC mismatch in ${type} chunk`);
    chunks.push({ type, data });
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw invalid('first chunk must be IHDR');
  if (chunks.at(-1)?.type !== 'IEND') throw invalid('missing IEND chunk');
  return chunks;
}

function writeChunk(chunk: Chunk): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(chunk.data.length, 0);
  head.write(chunk.type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), chunk.data])));
  return Buffer.concat([head, chunk.data, crc]);
}

function isCredentialChunk(chunk: Chunk): boolean {
  return (
    chunk.type === 'iTXt' &&
    chunk.data.subarray(0, KEYWORD.length + 1).equals(Buffer.from(`${KEYWORD}\0`, 'latin1'))
  );
}

/**
 * Bakes `credential` (JSON text or a compact JWT) into `png` as one uncompressed iTXt chunk, replacing any
 * credential already there.
 * @throws AppError ERR_CREDENTIAL_BAKE_INVALID_IMAGE
 */
export function bakePng(png: Uint8Array, credential: string): Buffer {
  const chunks = readPngChunks(png).filter((chunk) => !isCredentialChunk(chunk));
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, text.
  const data = Buffer.concat([
    Buffer.from(`${KEYWORD}\0\0\0\0\0`, 'latin1'),
    Buffer.from(credential, 'utf8'),
  ]);
  const baked = [...chunks.slice(0, -1), { type: 'iTXt', data }, chunks.at(-1)!];
  return Buffer.concat([PNG_SIGNATURE, ...baked.map(writeChunk)]);
}

/**
 * The credential text baked into `png`.
 * @throws AppError ERR_CREDENTIAL_BAKE_INVALID_IMAGE (broken PNG), ERR_CREDENTIAL_NOT_BAKED (none, or several)
 */
export function unbakePng(png: Uint8Array): string {
  const found = readPngChunks(png).filter(isCredentialChunk);
  if (found.length === 0)
    throw new AppError('ERR_CREDENTIAL_NOT_BAKED', `PNG has no iTXt chunk "${KEYWORD}"`);
  if (found.length > 1)
    throw new AppError('ERR_CREDENTIAL_NOT_BAKED', `PNG has ${found.length} "${KEYWORD}" chunks`);
  const data = found[0]!.data;
  let offset = KEYWORD.length + 1;
  const compressed = data[offset];
  const method = data[offset + 1];
  offset += 2;
  for (const field of ['language tag', 'translated keyword']) {
    const end = data.indexOf(0, offset);
    if (end < 0) throw invalid(`iTXt ${field} is not terminated`);
    offset = end + 1;
  }
  const text = data.subarray(offset);
  if (compressed === 0) return text.toString('utf8');
  if (compressed !== 1 || method !== 0) throw invalid('iTXt compression flag/method is invalid');
  try {
    return inflateSync(text, { maxOutputLength: MAX_TEXT_BYTES }).toString('utf8');
  } catch (error) {
    throw new AppError('ERR_CREDENTIAL_BAKE_INVALID_IMAGE', 'PNG: compressed iTXt text is invalid', {
      cause: error,
    });
  }
}
