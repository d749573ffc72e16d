/**
 * Duplicate detection over millions of keys in bounded memory: a set of 64-bit digests of each
 * key's bytes in one open-addressed typed array (12 bytes a slot: the digest and the line it
 * was first seen on, side by side so a probe touches one cache line), not a Set of strings.
 *
 * Limit: MAX_KEYS distinct keys (the table then holds 2^23 slots, 96 MiB); past it, `commit`
 * returns 'full' and the caller says the file could not be fully checked. Two different keys
 * share a 64-bit digest with odds of about 1 in 10^6 at 6 million keys, which would report a
 * duplicate that is not one; the report names both lines, so a person can see it.
 */
export const MAX_KEYS = 6_000_000;
const MAX_SLOTS = 1 << 23;
/** A value no byte has: ends each part of a key, so 'AB'+'C' and 'A'+'BC' differ. */
const END_OF_PART = 0x100;

export class UniqueKeys {
  constructor(private readonly max = MAX_KEYS) {}

  private slots = 1 << 14;
  /** Per slot: low digest word, high digest word, line of the first occurrence (0: empty). */
  private table = new Uint32Array(this.slots * 3);
  private size = 0;
  private a = 0;
  private b = 0;

  /** Starts a key; then `part` for each of its parts, then `commit`. */
  begin(): void {
    this.a = 0x811c9dc5;
    this.b = 0x9747b28c;
  }

  /** FNV-1a and a multiply-xorshift hash side by side over bytes[start, end); with `unquote`, a doubled quote counts once. */
  part(bytes: Uint8Array, start: number, end: number, unquote = false): void {
    let a = this.a;
    let b = this.b;
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (unquote && c === 0x22 && bytes[i + 1] === 0x22 && i + 1 < end) i++;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.a = Math.imul(a ^ END_OF_PART, 0x01000193);
    this.b = Math.imul(b ^ END_OF_PART, 0x5bd1e995);
  }

  /** The line the key was first seen on, 'full' when the table is at its limit, or undefined for a new key. */
  commit(line: number): number | 'full' | undefined {
    let a = this.a;
    let b = this.b;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    b ^= b >>> 16;
    b = Math.imul(b, 0xc2b2ae35);
    b ^= b >>> 16;
    const at = this.find(a >>> 0, b >>> 0);
    const t = this.table;
    if (t[at + 2] !== 0) return t[at + 2];
    if (this.size >= this.max) return 'full';
    t[at] = a >>> 0;
    t[at + 1] = b >>> 0;
    t[at + 2] = line;
    this.size++;
    if (this.size * 4 > this.slots * 3 && this.slots < MAX_SLOTS) this.grow();
    return undefined;
  }

  /** A whole key at once. */
  add(parts: readonly Uint8Array[], line: number): number | 'full' | undefined {
    this.begin();
    for (const p of parts) this.part(p, 0, p.length);
    return this.commit(line);
  }

  /** Index in the table of the digest's slot, or of the empty slot where it would go. */
  private find(lo: number, hi: number): number {
    const t = this.table;
    const mask = this.slots - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (t[i * 3 + 2] !== 0 && (t[i * 3] !== lo || t[i * 3 + 1] !== hi)) i = (i + 1) & mask;
    return i * 3;
  }

  private grow(): void {
    const old = this.table;
    this.slots *= 2;
    this.table = new Uint32Array(this.slots * 3);
    for (let k = 0; k < old.length; k += 3) {
      if (old[k + 2] === 0) continue;
      const at = this.find(old[k]!, old[k + 1]!);
      this.table[at] = old[k]!;
      this.table[at + 1] = old[k + 1]!;
      this.table[at + 2] = old[k + 2]!;
    }
  }
}
