import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isNetwork } from '@knocker/config';
import { createAddressPolicy, rememberRefusals } from './index.js';

const open = createAddressPolicy({ blockPrivateNetworks: false, allowedNetworks: [] });
const closed = createAddressPolicy({ blockPrivateNetworks: true, allowedNetworks: [] });
const category = (policy: typeof open, ip: string) => policy.refusal(ip)?.network.category;

describe('address policy', () => {
  it.each([
    ['169.254.169.254', 'link-local'], ['169.254.0.1', 'link-local'], ['fe80::1', 'link-local'], ['[fe80::abcd]', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'], ['::ffff:a9fe:a9fe', 'link-local'], ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::1', 'link-local'], ['fd00:ec2::254', 'cloud-metadata'], ['100.100.100.200', 'cloud-metadata'],
  ])('always refuses %s (%s)', (ip, expected) => {
    expect(category(open, ip)).toBe(expected);
    expect(category(closed, ip)).toBe(expected);
  });

  it.each([
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'], ['172.16.5.4', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade-nat'], ['100.127.255.254', 'carrier-grade-nat'], ['fc00::1', 'unique-local'], ['fd12:3456::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'], ['224.0.0.1', 'multicast'], ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'], ['192.0.2.10', 'reserved'], ['64:ff9b::a00:1', 'private'], ['2002:c0a8:101::1', 'private'],
  ])('refuses %s (%s) only with BLOCK_PRIVATE_NETWORKS', (ip, expected) => {
    expect(category(open, ip)).toBeUndefined();
    expect(category(closed, ip)).toBe(expected);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '100.63.255.255', '100.128.0.1', '169.253.255.255', '2606:4700::1111', '64:ff9b::808:808'])(
    'lets the public address %s through', (ip) => {
      expect(closed.refusal(ip)).toBeUndefined();
    },
  );

  it('reads the odd IPv4 notations the same way the resolver does', () => {
    expect(category(closed, '2130706433')).toBe('loopback');
    expect(category(closed, '0x7f.1')).toBe('loopback');
  });

  it('passes what ALLOWED_NETWORKS lists, the always-refused ranges included', () => {
    const allowing = createAddressPolicy({ blockPrivateNetworks: true, allowedNetworks: ['10.1.0.0/16', '169.254.169.254', 'fd00::/8', '::ffff:192.168.0.0/112'] });
    expect(allowing.refusal('10.1.2.3')).toBeUndefined();
    expect(category(allowing, '10.2.0.1')).toBe('private');
    expect(allowing.refusal('169.254.169.254')).toBeUndefined();
    expect(category(allowing, '169.254.169.253')).toBe('link-local');
    expect(allowing.refusal('fd00:ec2::254')).toBeUndefined();
    expect(allowing.refusal('192.168.7.7')).toBeUndefined();
  });

  it('says why, naming the variable to change', () => {
    expect(open.refusal('169.254.169.254')?.reason).toBe('169.254.169.254 is in 169.254.0.0/16 (link-local), refused unless ALLOWED_NETWORKS lists it');
    expect(closed.refusal('::ffff:10.0.0.1')?.reason).toBe('::ffff:10.0.0.1 (10.0.0.1) is in 10.0.0.0/8 (private), refused because BLOCK_PRIVATE_NETWORKS is on');
  });

  it('does not judge names', () => {
    expect(closed.refusal('localhost')).toBeUndefined();
    expect(closed.refusal('metadata.google.internal')).toBeUndefined();
  });

  it('takes every ALLOWED_NETWORKS entry the configuration accepts, and nothing it refuses', () => {
    const good = ['10.0.0.0/8', '::1', 'fe80::/10', '1.2.3.4', ' 10.1.0.0/16 ', '[::1]', '::ffff:10.0.0.0/104', '::ffff:127.0.0.1'];
    expect(good.every(isNetwork)).toBe(true);
    for (const entry of good) expect(() => createAddressPolicy({ blockPrivateNetworks: false, allowedNetworks: [entry] })).not.toThrow();
    expect(['10.0.0.0/33', 'example.com', '', '10.0.0.0/', '::/129'].some(isNetwork)).toBe(false);
    expect(() => createAddressPolicy({ blockPrivateNetworks: false, allowedNetworks: ['nope'] })).toThrow('not a CIDR');
  });

  it('refuses every IPv4 address of 10/8 and 169.254/16 in any IPv6 spelling', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(fc.constantFrom(10, 169), octet, octet, octet, (a, b, c, d) => {
        const v4 = a === 169 ? [169, 254, c, d] : [a, b, c, d];
        const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
        for (const ip of [v4.join('.'), `::ffff:${v4.join('.')}`, `::ffff:${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`, `64:ff9b::${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`]) {
          if (closed.refusal(ip) === undefined) return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});

describe('rememberRefusals', () => {
  it('judges as the policy does, asking it once per input', () => {
    const policy = createAddressPolicy({ allowedNetworks: [], blockPrivateNetworks: true });
    let asked = 0;
    const counted = { refusal: (ip: string) => (asked++, policy.refusal(ip)) };
    const remembered = rememberRefusals(counted, 2);
    for (const ip of ['10.0.0.1', '10.0.0.1', 'example.com', 'example.com']) expect(remembered.refusal(ip)).toEqual(policy.refusal(ip));
    expect(asked).toBe(2);
    // Past its size it still answers, without storing.
    expect(remembered.refusal('127.0.0.1')).toEqual(policy.refusal('127.0.0.1'));
    expect(remembered.refusal('127.0.0.1')).toEqual(policy.refusal('127.0.0.1'));
    expect(asked).toBe(4);
  });
});
