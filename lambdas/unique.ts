import { shown, type CsvChecker, type RowCheck } from './csv.js';

/**
 * Duplicate detection over millions of keys in bounded memory: a set of 64-bit digests of each
 * key's bytes, in open-addressed typed arrays (12 bytes a slot: the digest and the line it was
 * first seen on), not a Set of strings.
 *
 * Limit: MAX_KEYS distinct keys (the table then holds 2^23 slots, 96 MiB); past it, `add`
 * returns 'full' and the caller says the file could not be fully checked. Two different keys
 * share a 64-bit digest with odds of about 1 in 10^6 at 6 million keys, which would report a
 * duplicate that is not one; the report names both lines, so a person can see it.
 */
export const MAX_KEYS = 6_000_000;
const MAX_SLOTS = 1 << 23;

export class UniqueKeys {
  constructor(private readonly max = MAX_KEYS) {}

  private slots = 1 << 14;
  private lo = new Uint32Array(this.slots);
  private hi = new Uint32Array(this.slots);
  /** Line of the first occurrence; 0 marks an empty slot (lines start at 1). */
  private lines = new Int32Array(this.slots);
  private size = 0;
  private h1 = 0;
  private h2 = 0;

  /** The line the key was first seen on, 'full' when the table is at its limit, or undefined for a new key. */
  add(parts: readonly Uint8Array[], line: number): number | 'full' | undefined {
    this.digest(parts);
    const found = this.find(this.h1, this.h2);
    if (this.lines[found] !== 0) return this.lines[found];
    if (this.size >= this.max) return 'full';
    this.lo[found] = this.h1;
    this.hi[found] = this.h2;
    this.lines[found] = line;
    this.size++;
    if (this.size * 4 > this.slots * 3 && this.slots < MAX_SLOTS) this.grow();
    return undefined;
  }

  /** FNV-1a and a multiply-xorshift hash side by side, over each part's length and bytes. */
  private digest(parts: readonly Uint8Array[]): void {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (const part of parts) {
      const n = part.length;
      a = Math.imul(a ^ n, 0x01000193);
      b = Math.imul(b ^ n, 0x5bd1e995);
      for (let i = 0; i < n; i++) {
        const c = part[i]!;
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        b ^= b >>> 15;
      }
    }
    // Final mixing, so that nearby keys spread over the table.
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    b ^= b >>> 16;
    b = Math.imul(b, 0xc2b2ae35);
    b ^= b >>> 16;
    this.h1 = a >>> 0;
    this.h2 = b >>> 0;
  }

  private find(h1: number, h2: number): number {
    const mask = this.slots - 1;
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & mask;
    while (this.lines[i] !== 0 && (this.lo[i] !== h1 || this.hi[i] !== h2)) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const { lo, hi, lines } = this;
    this.slots *= 2;
    this.lo = new Uint32Array(this.slots);
    this.hi = new Uint32Array(this.slots);
    this.lines = new Int32Array(this.slots);
    for (let k = 0; k < lo.length; k++) {
      if (lines[k] === 0) continue;
      const at = this.find(lo[k]!, hi[k]!);
      this.lo[at] = lo[k]!;
      this.hi[at] = hi[k]!;
      this.lines[at] = lines[k]!;
    }
  }
}

/**
 * A row check that the values of `columns` (one column, or several as one key) are unique in
 * the file; undefined when the header lacks one of them (the header check says so).
 */
export function uniqueColumns(checker: CsvChecker, header: readonly string[], columns: readonly string[], rule: string): RowCheck | undefined {
  const indexes = columns.map((c) => header.indexOf(c));
  if (indexes.some((i) => i < 0)) return undefined;
  const keys = new UniqueKeys();
  const column = columns.join(' + ');
  let full = false;
  return (row) => {
    const parts = indexes.map((i) => row.bytes(i));
    if (parts.every((p) => p.length === 0)) return;
    const first = keys.add(parts, row.line);
    if (first === undefined) return;
    if (first === 'full') {
      if (!full) checker.problem({ line: row.line, column, message: `is past ${MAX_KEYS.toLocaleString('en-US')} distinct values, the most the checker holds; split the file so that ${rule} can be checked` });
      full = true;
      return;
    }
    checker.problem({ line: row.line, column, message: `${shown(indexes.map((i) => row.value(i)).join(', '))} is also on line ${first}; ${rule}` });
  };
}
