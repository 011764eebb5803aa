// IP literals and CIDRs read without node:net, so that these parsers stay free of Node's
// networking modules and can move into the configuration package as they are.

/** An address as its bytes: 4 for IPv4, 16 for IPv6. An IPv4-mapped IPv6 address is read as the IPv4 one. */
export type IpBytes = readonly number[];

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEXTET = /^[0-9a-f]{1,4}$/;

/** Parses `a.b.c.d`, `::1`, `[::1]` and the like; undefined for anything else (names included). */
export function parseIp(literal: string): IpBytes | undefined {
  const text = literal.startsWith('[') && literal.endsWith(']') ? literal.slice(1, -1) : literal;
  if (text.length > 45) return undefined;
  if (V4.test(text)) return text.split('.').map(Number);
  const v6 = parseV6(text.toLowerCase());
  if (v6 === undefined) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

function parseV6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      // An IPv4 tail (::ffff:1.2.3.4) counts as two groups.
      if (i === pieces.length - 1 && V4.test(piece)) {
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else if (HEXTET.test(piece)) out.push(parseInt(piece, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/** A range of addresses: the first `bits` bits of `base`. */
export interface Cidr {
  base: IpBytes;
  bits: number;
}

/** Parses `10.0.0.0/8`, `fd00::/8`, or a single address (a range of one). */
export function parseCidr(entry: string): Cidr | undefined {
  const slash = entry.indexOf('/');
  const base = parseIp(slash < 0 ? entry : entry.slice(0, slash));
  if (base === undefined) return undefined;
  const max = base.length * 8;
  if (slash < 0) return { base, bits: max };
  const bitsText = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  // An IPv4-mapped range was turned into its IPv4 range: its prefix counts from bit 96.
  const mapped = base.length === 4 && entry.includes(':');
  const bits = Number(bitsText) - (mapped ? 96 : 0);
  return bits >= 0 && bits <= max ? { base, bits } : undefined;
}

export function inCidr(ip: IpBytes, range: Cidr): boolean {
  if (ip.length !== range.base.length) return false;
  for (let bit = 0; bit < range.bits; bit += 8) {
    const left = Math.min(8, range.bits - bit);
    const mask = (0xff << (8 - left)) & 0xff;
    if (((ip[bit / 8] ?? 0) & mask) !== ((range.base[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}
