/**
 * SHA-256 and HMAC-SHA-256 for destination IDs. A release of a million members hashes a million
 * short strings; a generic hash object per call (e.g. @noble/hashes: allocation, hex conversion)
 * costs ~3-5 µs each here, and Workers' `crypto.subtle` is async per call. This is FIPS 180-4 over
 * reused scratch buffers, one or two blocks per ID, and HMAC (RFC 2104) resumes from the keyed
 * inner and outer states computed once per key, so a keyed ID costs three compressions. Pure JS,
 * so the Worker computes the same values as Node; tests check both against `node:crypto`.
 */

const K = Uint32Array.of(
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
);
const W = new Uint32Array(64);
const H = new Uint32Array(8);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));
const encoder = new TextEncoder();
const INITIAL = Uint32Array.of(
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
);
let scratch = new Uint8Array(256);

function compress(m: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const p = at + i * 4;
    W[i] = (m[p]! << 24) | (m[p + 1]! << 16) | (m[p + 2]! << 8) | m[p + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = H[0]! + a;
  H[1] = H[1]! + b;
  H[2] = H[2]! + c;
  H[3] = H[3]! + d;
  H[4] = H[4]! + e;
  H[5] = H[5]! + f;
  H[6] = H[6]! + g;
  H[7] = H[7]! + h;
}

/**
 * Continues a digest from state `from` (after `prefixBytes` bytes already hashed) over
 * `bytes[0..len)`, leaving the final state in `H`. `bytes` must have room for the padding
 * (len + 72) and is overwritten past len.
 */
function digestFrom(from: Uint32Array, prefixBytes: number, bytes: Uint8Array, len: number): void {
  const total = Math.ceil((len + 9) / 64) * 64;
  bytes.fill(0, len, total);
  bytes[len] = 0x80;
  const bits = (prefixBytes + len) * 8;
  bytes[total - 4] = bits >>> 24;
  bytes[total - 3] = bits >>> 16;
  bytes[total - 2] = bits >>> 8;
  bytes[total - 1] = bits;
  bytes[total - 5] = Math.floor(bits / 2 ** 32);
  H.set(from);
  for (let at = 0; at < total; at += 64) compress(bytes, at);
}

const digest = (bytes: Uint8Array, len: number) => digestFrom(INITIAL, 0, bytes, len);

function hexOfDigest(): string {
  let out = '';
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    out += HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!;
  }
  return out;
}

/** Writes the digest in `H` as 64 lower-case hex bytes into `out` at `at`. */
function hexInto(out: Uint8Array, at: number): void {
  for (let i = 0; i < 8; i++) {
    const v = H[i]!;
    for (let k = 0; k < 8; k++) out[at + i * 8 + k] = HEX_DIGITS[(v >>> (28 - 4 * k)) & 15]!;
  }
}

function ensureScratch(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(n * 2);
  return scratch;
}

/** SHA-256 (hex) of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  // Worst case 3 bytes per UTF-16 unit, plus padding.
  const buf = ensureScratch(text.length * 3 + 72);
  digest(buf, encoder.encodeInto(text, buf).written);
  return hexOfDigest();
}

/** SHA-256 (hex) of bytes. */
export function sha256HexBytes(bytes: Uint8Array): string {
  const buf = ensureScratch(bytes.length + 72);
  buf.set(bytes);
  digest(buf, bytes.length);
  return hexOfDigest();
}

/** SHA-256 of `bytes[from..to)`, as 64 hex bytes written into `out` at `at`: the release hot path. */
export function sha256HexInto(
  bytes: Uint8Array,
  from: number,
  to: number,
  out: Uint8Array,
  at: number,
): void {
  const len = to - from;
  const buf = ensureScratch(len + 72);
  buf.set(bytes.subarray(from, to));
  digest(buf, len);
  hexInto(out, at);
}

/**
 * HMAC-SHA-256 (RFC 2104) with one key, for many messages: the keyed inner and outer states are
 * computed once, so each message costs its own blocks plus one outer block.
 *
 * @example
 * const mac = new HmacSha256(key);
 * mac.hex('tp_0000001'); // 64 hex characters, the same as node:crypto's createHmac('sha256', key)
 */
export class HmacSha256 {
  private readonly inner = new Uint32Array(8);
  private readonly outer = new Uint32Array(8);
  private readonly block = new Uint8Array(64 + 72);

  constructor(key: Uint8Array) {
    let k = key;
    if (k.length > 64) {
      const buf = ensureScratch(k.length + 72);
      buf.set(k);
      digest(buf, k.length);
      k = new Uint8Array(32);
      for (let i = 0; i < 8; i++) {
        const v = H[i]!;
        k[i * 4] = v >>> 24;
        k[i * 4 + 1] = v >>> 16;
        k[i * 4 + 2] = v >>> 8;
        k[i * 4 + 3] = v;
      }
    }
    const pad = new Uint8Array(64);
    for (const [state, byte] of [
      [this.inner, 0x36],
      [this.outer, 0x5c],
    ] as const) {
      pad.fill(byte);
      for (let i = 0; i < k.length; i++) pad[i] = k[i]! ^ byte;
      H.set(INITIAL);
      compress(pad, 0);
      state.set(H);
    }
  }

  /** HMAC of `bytes[from..to)`, as 64 hex bytes written into `out` at `at`. */
  hexInto(bytes: Uint8Array, from: number, to: number, out: Uint8Array, at: number): void {
    const len = to - from;
    const buf = ensureScratch(len + 72);
    buf.set(bytes.subarray(from, to));
    digestFrom(this.inner, 64, buf, len);
    const b = this.block;
    for (let i = 0; i < 8; i++) {
      const v = H[i]!;
      b[i * 4] = v >>> 24;
      b[i * 4 + 1] = v >>> 16;
      b[i * 4 + 2] = v >>> 8;
      b[i * 4 + 3] = v;
    }
    digestFrom(this.outer, 64, b, 32);
    hexInto(out, at);
  }

  /** HMAC (hex) of the UTF-8 encoding of `text`. */
  hex(text: string): string {
    const bytes = encoder.encode(text);
    const out = new Uint8Array(64);
    this.hexInto(bytes, 0, bytes.length, out, 0);
    return new TextDecoder().decode(out);
  }
}
