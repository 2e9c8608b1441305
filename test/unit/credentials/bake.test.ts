import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { bakePng, bakeSvg, readPngChunks, unbakePng, unbakeSvg } from '../../../src/credentials/index.js';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A 1x1 grey PNG, built here so the test owns its input. */
function tinyPng(): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 128]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const credential = JSON.stringify({
  id: 'https://laurel.example/credentials/1',
  name: 'Ünïcode ]]> badge',
  description: 'Text that looks like markup stays text: <script> onload= <!ENTITY',
});

describe('PNG baking', () => {
  it('bakes one uncompressed iTXt chunk "openbadgecredential" before IEND and unbakes it', () => {
    const baked = bakePng(tinyPng(), credential);
    const chunks = readPngChunks(baked);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'iTXt', 'IEND']);
    expect(chunks[2]!.data.subarray(0, 24).toString('latin1')).toBe('openbadgecredential\0\0\0\0\0');
    expect(unbakePng(baked)).toBe(credential);
  });

  it('re-baking replaces the credential instead of adding a second one', () => {
    const twice = bakePng(bakePng(tinyPng(), credential), '{"second":true}');
    expect(readPngChunks(twice).filter((c) => c.type === 'iTXt')).toHaveLength(1);
    expect(unbakePng(twice)).toBe('{"second":true}');
  });

  it.each([
    ['not a PNG', () => Buffer.from('GIF89a...')],
    [
      'a bad CRC',
      () => {
        const png = bakePng(tinyPng(), credential);
        png[png.length - 13] ^= 0xff; // last byte of the iTXt CRC
        return png;
      },
    ],
    ['a truncated file', () => bakePng(tinyPng(), credential).subarray(0, 60)],
    [
      'a chunk length past the end',
      () => {
        const png = tinyPng();
        png.writeUInt32BE(0x7ffffff0, 33);
        return png;
      },
    ],
  ])('refuses %s with ERR_CREDENTIAL_BAKE_INVALID_IMAGE', (_name, make) => {
    expect(() => unbakePng(make())).toThrow(
      expect.objectContaining({ code: 'ERR_CREDENTIAL_BAKE_INVALID_IMAGE' }),
    );
  });

  it('says when a PNG holds no credential', () => {
    expect(() => unbakePng(tinyPng())).toThrow(expect.objectContaining({ code: 'ERR_CREDENTIAL_NOT_BAKED' }));
  });
});

describe('SVG baking', () => {
  const svg =
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="5"/></svg>';

  it('declares the namespace, holds one <openbadges:credential> in CDATA, and unbakes it', () => {
    const baked = bakeSvg(svg, credential);
    expect(baked).toContain('xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"');
    expect(baked.match(/<openbadges:credential>/g)).toHaveLength(1);
    expect(baked).toContain('<![CDATA[');
    expect(unbakeSvg(baked)).toBe(credential);
    expect(unbakeSvg(bakeSvg(baked, '{"b":2}'))).toBe('{"b":2}');
  });

  it.each([
    ['a script', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    [
      'an entity',
      '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    ],
    ['an event handler', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'],
    [
      'a javascript: link',
      '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)">x</a></svg>',
    ],
    ['no svg root', '<html></html>'],
  ])('refuses SVG with %s', (_name, bad) => {
    expect(() => unbakeSvg(bad)).toThrow(
      expect.objectContaining({ code: 'ERR_CREDENTIAL_BAKE_INVALID_IMAGE' }),
    );
    expect(() => bakeSvg(bad, credential)).toThrow(
      expect.objectContaining({ code: 'ERR_CREDENTIAL_BAKE_INVALID_IMAGE' }),
    );
  });

  it('says when an SVG holds no credential', () => {
    expect(() => unbakeSvg(svg)).toThrow(expect.objectContaining({ code: 'ERR_CREDENTIAL_NOT_BAKED' }));
  });
});
