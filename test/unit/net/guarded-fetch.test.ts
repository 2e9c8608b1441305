import { describe, expect, it } from '@jest/globals';
import { checkOutboundUrl, isPrivateAddress } from '../../../src/net/guarded-fetch.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
  ])('%s is refused', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('checkOutboundUrl', () => {
  const production = { allowHttp: false, allowPrivate: false };
  it('refuses http in production, other schemes always, credentials, and private IP literals', () => {
    expect(() => checkOutboundUrl('http://lms.example.edu/x', production)).toThrow(/only https/);
    expect(() => checkOutboundUrl('file:///etc/passwd', { allowHttp: true, allowPrivate: true })).toThrow(
      /only http\(s\)/,
    );
    expect(() => checkOutboundUrl('https://u:p@lms.example.edu/', production)).toThrow(/credentials/);
    expect(() => checkOutboundUrl('https://127.0.0.1/', production)).toThrow(/private/);
    expect(() => checkOutboundUrl('https://[::1]/', production)).toThrow(/private/);
    expect(checkOutboundUrl('https://lms.example.edu/x', production).host).toBe('lms.example.edu');
    expect(checkOutboundUrl('http://127.0.0.1:8080/', { allowHttp: true, allowPrivate: true }).port).toBe(
      '8080',
    );
  });
});
