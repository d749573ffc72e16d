/**
 * Duplicate detection over millions of keys in bounded memory and at memory speed.
 *
 * Each key becomes a 64-bit digest of its bytes, appended with its line to one of 256
 * partitions (by the digest's top byte): sequential writes, 12 bytes a key. At the end each
 * partition (about 1/256 of the keys) is checked on its own with a small table that stays in
 * the CPU cache, in line order, so every repeat is found with the line it first appeared on.
 * A table over all keys at once costs a cache and TLB miss per key, about 3× slower.
 *
 * Limit: MAX_KEYS keys per file (96 MiB); past it, `commit` returns false and the caller says
 * the file could not be fully checked. Two different keys share a 64-bit digest with odds of
 * about 2 in a million at 8 million keys, which would report a repeat that is not one; the
 * report names both lines, so a person can see it.
 */
export const MAX_KEYS = 8_000_000;
const PARTITIONS = 256;
/** Keys per allocation of a partition. */
const CHUNK = 2048;
const NO_CHUNK = new Uint32Array(0);
/** A value no byte has: ends each part of a key, so 'AB'+'C' and 'A'+'BC' differ. */
const END_OF_PART = 0x100;

export interface Repeats {
  /** The first `limit` repeats in line order: [line, line of the first occurrence]. */
  first: Array<[number, number]>;
  /** All repeats. */
  count: number;
}

export class UniqueKeys {
  constructor(private readonly max = MAX_KEYS) {}

  /** Per partition, chunks of [digest low, digest high, line] × CHUNK. */
  private readonly chunks: Uint32Array[][] = Array.from({ length: PARTITIONS }, () => []);
  /** Per partition, the chunk being filled (the last of its list), and how full it is. */
  private readonly current: Uint32Array[] = Array.from({ length: PARTITIONS }, () => NO_CHUNK);
  private readonly fill = new Int32Array(PARTITIONS).fill(CHUNK);
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
      if (unquote && c === 0x22 && i + 1 < end && bytes[i + 1] === 0x22) i++;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.a = Math.imul(a ^ END_OF_PART, 0x01000193);
    this.b = Math.imul(b ^ END_OF_PART, 0x5bd1e995);
  }

  /** Records the key as seen on `line`; false when the limit is reached (the key is not recorded). */
  commit(line: number): boolean {
    if (this.size >= this.max) return false;
    let a = this.a;
    let b = this.b;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    b ^= b >>> 16;
    b = Math.imul(b, 0xc2b2ae35);
    b ^= b >>> 16;
    const p = b >>> 24;
    let f = this.fill[p]!;
    let chunk = this.current[p]!;
    if (f === CHUNK) {
      chunk = this.current[p] = new Uint32Array(CHUNK * 3);
      this.chunks[p]!.push(chunk);
      f = 0;
    }
    chunk[f * 3] = a;
    chunk[f * 3 + 1] = b;
    chunk[f * 3 + 2] = line;
    this.fill[p] = f + 1;
    this.size++;
    return true;
  }

  /** A whole key at once. */
  add(parts: readonly Uint8Array[], line: number): boolean {
    this.begin();
    for (const p of parts) this.part(p, 0, p.length);
    return this.commit(line);
  }

  /** Every key seen more than once, each repeat with the line of its first occurrence. */
  repeats(limit: number): Repeats {
    let first: Array<[number, number]> = [];
    let count = 0;
    const table = new KeyTable();
    for (let p = 0; p < PARTITIONS; p++) {
      const list = this.chunks[p]!;
      if (list.length === 0) continue;
      table.clear();
      const found: Array<[number, number]> = [];
      for (let c = 0; c < list.length; c++) count += table.insertAll(list[c]!, c === list.length - 1 ? this.fill[p]! : CHUNK, found, limit);
      if (found.length) first = [...first, ...found].sort((x, y) => x[0] - y[0]).slice(0, limit);
    }
    return { first, count };
  }
}

/**
 * An open-addressing table of [digest low, digest high, line] for one partition at a time. It is
 * cleared between partitions and keeps its size (partitions hold about as many keys each), so it
 * grows a few times in all rather than in every partition. Small methods, each called often, so
 * that V8 optimizes them whole (one loop over all partitions was compiled on stack and left its
 * compiled code at the end of every partition: 847 deoptimizations for 2.76 million keys).
 */
class KeyTable {
  private table = new Uint32Array(1024 * 3);
  private slots = 1024;
  private distinct = 0;

  clear(): void {
    this.table.fill(0, 0, this.slots * 3);
    this.distinct = 0;
  }

  /** Inserts the first `m` keys of a chunk in order; each one already there is a repeat, pushed to `found` (up to `limit`) and counted. */
  insertAll(chunk: Uint32Array, m: number, found: Array<[number, number]>, limit: number): number {
    let count = 0;
    for (let k = 0; k < m; k++) {
      const firstLine = this.insert(chunk[k * 3]!, chunk[k * 3 + 1]!, chunk[k * 3 + 2]!);
      if (firstLine === 0) continue;
      count++;
      // Keys are in line order within a partition, so its first repeats are its earliest.
      if (found.length < limit) found.push([chunk[k * 3 + 2]!, firstLine]);
    }
    return count;
  }

  /** 0 when the key is new (it is added), else the line it was first seen on. */
  private insert(lo: number, hi: number, line: number): number {
    const i = this.slot(lo, hi);
    if (this.table[i * 3 + 2] !== 0) return this.table[i * 3 + 2]!;
    this.put(i, lo, hi, line);
    if (++this.distinct * 2 > this.slots) this.grow();
    return 0;
  }

  /** The slot that holds the key, or the empty one where it would go. */
  private slot(lo: number, hi: number): number {
    const table = this.table;
    const mask = this.slots - 1;
    let i = lo & mask;
    while (table[i * 3 + 2] !== 0 && (table[i * 3] !== lo || table[i * 3 + 1] !== hi)) i = (i + 1) & mask;
    return i;
  }

  private put(i: number, lo: number, hi: number, line: number): void {
    this.table[i * 3] = lo;
    this.table[i * 3 + 1] = hi;
    this.table[i * 3 + 2] = line;
  }

  private grow(): void {
    const old = this.table;
    this.slots *= 2;
    this.table = new Uint32Array(this.slots * 3);
    for (let j = 0; j < old.length; j += 3) if (old[j + 2] !== 0) this.put(this.slot(old[j]!, old[j + 1]!), old[j]!, old[j + 1]!, old[j + 2]!);
  }
}
