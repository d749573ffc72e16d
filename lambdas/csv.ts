import { Buffer, isUtf8 } from 'node:buffer';
import { fastScan, WINDOW_PAD, type FastScan } from './csv-scan.js';
import { MAX_KEYS, UniqueKeys } from './unique.js';

/**
 * A streaming RFC 4180 checker that works on bytes: feed it a file's bytes in chunks, in order;
 * it checks UTF-8 (a BOM is allowed), quoting, control characters and field counts, and returns
 * the header, the number of data rows and the problems with their lines and columns.
 *
 * Speed: records of plain CSV are split by the fast path, a WebAssembly SIMD scan 64 bytes at
 * a time (csv-scan.wat), which gives the checker where each field ends. At a byte the fast path
 * leaves to it (a control character, a misplaced quote, a line break inside quotes), the exact
 * path reads that record with a table-driven byte loop, and then hands back. Both paths give
 * the same results on any input (test/kernel/csv-fast.test.ts compares them). UTF-8 is
 * validated natively a chunk at a time, and byte by byte only in a chunk that fails, to name
 * the line. Fields are decoded only when a row check asks for one.
 *
 * Memory is bounded whatever the input: the checker keeps the bytes of the record it is in and
 * no more. A record longer than MAX_RECORD_BYTES is a problem with its line, and its bytes are
 * not kept; at most MAX_PROBLEMS problems are listed, the rest counted, and values shown in
 * messages are cut short.
 */
export interface CsvProblem {
  line?: number;
  column?: string;
  message: string;
}

export interface CsvResult {
  header: string[];
  rows: number;
  problems: CsvProblem[];
  /** Problems past the first MAX_PROBLEMS are counted, not listed. */
  moreProblems: number;
}

/** One data row, valid only during the row check it is given to. */
export interface CsvRow {
  readonly line: number;
  /** Field `index`, unquoted and decoded. */
  value(index: number): string;
  /** Adds field `index`'s bytes, unquoted, to a key being built, with no decoding. */
  addTo(keys: UniqueKeys, index: number): void;
  /** True when field `index` is empty (`""` is empty too). */
  isEmpty(index: number): boolean;
  /** True when field `index` is empty or only spaces and tabs. */
  isBlank(index: number): boolean;
  /** The number of bytes of field `index` as written (quotes included). */
  byteLength(index: number): number;
  /** Whether field `index`, unquoted, passes `test` on its bytes: a check with no decoding. */
  matches(index: number, test: (bytes: Uint8Array, start: number, end: number) => boolean): boolean;
}

/** A check of each data row; `finish`, when there is one, runs when the file has been read (checks across rows). */
export type RowCheck = ((row: CsvRow) => void) & { finish?: () => void };
/** Given the header, returns the check to run on every data row whose field count matches it. */
export type HeaderHook = (header: string[], checker: CsvChecker) => RowCheck | undefined;

export const MAX_PROBLEMS = 20;
/** A record (a line, or several when a quoted field holds line breaks) longer than this is a problem. */
export const MAX_RECORD_BYTES = 1024 * 1024;
const SHOWN_CHARS = 60;

/** A value as a message shows it: quoted, control characters escaped, cut short when long. */
export function shown(value: string): string {
  const cut = value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value;
  return `'${cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

/** A list of names as a message shows it: the first few, then how many more. */
export function shownList(names: readonly string[], max = 10): string {
  const listed = names.slice(0, max).map(shown).join(', ');
  return names.length > max ? `${listed} and ${names.length - max} more` : listed;
}

// Byte classes. A byte of class ORD needs nothing; the scan loops skip them.
const ORD = 0;
const CTRL = 1;
const QUOTE = 2;
const COMMA = 3;
const LF = 4;
const CR = 5;
/** 0xC2 leads U+0080–U+00BF, among them the C1 control characters U+0080–U+009F. */
const C2 = 6;

const UNQUOTED = new Uint8Array(256);
const QUOTED = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) if (b !== 0x09) UNQUOTED[b] = QUOTED[b] = CTRL;
UNQUOTED[0x7f] = QUOTED[0x7f] = CTRL;
UNQUOTED[0x0a] = QUOTED[0x0a] = LF;
UNQUOTED[0x0d] = CR;
QUOTED[0x0d] = ORD; // a CR inside quotes is part of the value
UNQUOTED[0x22] = QUOTED[0x22] = QUOTE;
UNQUOTED[0x2c] = COMMA;
UNQUOTED[0xc2] = QUOTED[0xc2] = C2;

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field was the last byte of a chunk: the next byte says which it was. */
  QuotePending,
  /** Just after a field's closing quote: a comma or a line break must follow. */
  AfterQuote,
}

const EMPTY = Buffer.alloc(0);

/** Length of the UTF-8 sequence a lead byte starts, or 0 when it cannot lead one. */
function sequenceLength(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** True when bytes [s, e) are a quoted field: its value is between the quotes. */
const isQuoted = (buf: Uint8Array, s: number, e: number): boolean => e - s >= 2 && buf[s] === 0x22 && buf[e - 1] === 0x22;

const onlySpacesAndTabs = (bytes: Uint8Array, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) if (bytes[i] !== 0x20 && bytes[i] !== 0x09) return false;
  return true;
};

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** The smallest window the fast path copies and scans, and the longest run of records the exact path reads before the fast path tries again. */
const MIN_WINDOW = 64;
const MAX_BACKOFF = 1024;

export interface CsvCheckerOptions {
  /** false: the exact byte-wise path reads everything (for tests that compare the two). */
  fast?: boolean;
}

export class CsvChecker {
  private readonly fast: FastScan | undefined;
  /** The bytes the fast path copies and scans next, and how many records the exact path reads before it tries again. */
  private windowSize: number;
  private backoff = 0;
  /** Records read by each path: how much of a file the fast path took (for tests and benchmarks). */
  readonly recordsRead = { fast: 0, exact: 0 };
  /** Bytes copied to the fast path's window and scanned there, the same bytes counted again each time. */
  windowBytes = 0;

  constructor(
    private readonly onHeader?: HeaderHook,
    options: CsvCheckerOptions = {},
  ) {
    this.fast = options.fast === false ? undefined : fastScan();
    this.windowSize = this.fast?.out.length ?? 0;
  }

  private state = S.FieldStart;
  /** The bytes of the record being read, from its first byte (empty once it is too long to keep). */
  private buf: Buffer = EMPTY;
  private recordStart = 0;
  private fieldStart = 0;
  /** Where each field of the record being read ends (the exact path's); a field starts one byte after the one before. */
  private ends: Int32Array = new Int32Array(64);
  /** The record the row accessors read: its field ends from fieldEnds[fieldAt] (the exact path's, or the fast path's). */
  private fieldEnds: Int32Array = this.ends;
  private fieldAt = 0;
  private count = 0;
  private oversized = false;

  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private pendingCR = false;
  private pendingC2 = false;
  private pendingBlank = 0;

  private head: Uint8Array | undefined = EMPTY;
  private utf8Tail: Uint8Array = EMPTY;
  private sawBytes = false;
  private abandoned = false;

  private header: string[] | undefined;
  private headerUsable = false;
  private rowCheck: RowCheck | undefined;
  private rows = 0;
  private readonly problems: CsvProblem[] = [];
  private more = 0;

  /** Also for the row checks of a caller, so their problems share the list and its limit. */
  problem(p: CsvProblem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(p.column && p.column.length > SHOWN_CHARS ? { ...p, column: `${p.column.slice(0, SHOWN_CHARS)}…` } : p);
    else this.more++;
  }

  /** Problems a caller found and does not list, counted with the rest. */
  moreProblems(count: number): void {
    this.more += count;
  }

  write(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.abandoned) return;
    this.sawBytes = true;
    if (this.head) {
      // The first three bytes decide about a byte-order mark before anything is read.
      const head: Uint8Array = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      if (head.length < 3) {
        this.head = head;
        return;
      }
      this.head = undefined;
      if (!this.start(head)) return;
      chunk = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    }
    this.feed(asBuffer(chunk));
  }

  /** False when the file is not worth reading further (UTF-16). */
  private start(head: Uint8Array): boolean {
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
      this.problem({ message: 'is UTF-16 (it starts with a UTF-16 byte-order mark); save the file as UTF-8' });
      this.abandoned = true;
      return false;
    }
    return true;
  }

  private feed(chunk: Buffer): void {
    this.checkUtf8(chunk);
    if (this.buf.length === 0) {
      this.buf = chunk;
      this.scan(0);
      this.keepRecord();
      return;
    }
    // The record the last chunk left unfinished is joined with this chunk up to its first line
    // break only; when the record ends there, the rest of the chunk is read where it lies,
    // without copying it.
    const nl = chunk.indexOf(0x0a);
    const head = nl < 0 || nl === chunk.length - 1 ? chunk : chunk.subarray(0, nl + 1);
    const from = this.buf.length;
    this.buf = Buffer.concat([this.buf, head]);
    this.scan(from);
    if (head !== chunk) {
      if (this.recordStart === this.buf.length) {
        this.buf = chunk;
        this.recordStart = this.fieldStart = nl + 1;
        this.scan(nl + 1);
      } else {
        // The line break was inside a quoted field: the record goes on into the rest.
        const joined = this.buf.length;
        this.buf = Buffer.concat([this.buf, chunk.subarray(nl + 1)]);
        this.scan(joined);
      }
    }
    this.keepRecord();
  }

  /** Keeps only the bytes of the unfinished record, with field offsets made relative to it. */
  private keepRecord(): void {
    const rs = this.recordStart;
    if (!this.oversized && this.buf.length - rs > MAX_RECORD_BYTES) this.tooLong();
    if (this.oversized) {
      this.buf = EMPTY;
      this.recordStart = this.fieldStart = 0;
      return;
    }
    this.buf = rs >= this.buf.length ? EMPTY : this.buf.subarray(rs);
    if (rs > 0) {
      const kept = Math.min(this.count, this.ends.length);
      for (let k = 0; k < kept; k++) this.ends[k]! -= rs;
      this.fieldStart -= rs;
      this.recordStart = 0;
    }
  }

  private tooLong(): void {
    this.oversized = true;
    this.problem({
      line: this.recordLine,
      message: `starts a record longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB, the limit; it is not checked further (a quote that is never closed, or a file that is not CSV, reads like this)`,
    });
  }

  /**
   * Reads buf from `from` to its end: the fast path while it can, whole records at a time, and
   * the exact path for each record that it cannot read and for an unfinished record at the end.
   */
  private scan(from: number): void {
    const fast = this.fast;
    const n = this.buf.length;
    if (!fast) {
      this.scanBytes(from, false);
      return;
    }
    const size = fast.out.length;
    let i = this.atRecordStart(from) ? from : this.scanBytes(from, true);
    while (i < n) {
      const len = Math.min(this.windowSize, n - i);
      fast.window.set(this.buf.subarray(i, i + len), 0);
      fast.window.fill(0, len, len + WINDOW_PAD);
      this.windowBytes += len;
      const next = this.records(i, fast.scan(len, i));
      const stopped = fast.anomaly.value >= 0;
      if (!stopped && i + len === n) {
        // The rest is an unfinished record: the exact path reads it, and the next chunk goes on.
        i = this.scanBytes(next, true);
        continue;
      }
      if (!stopped && next > i) {
        this.backoff = 0;
        this.windowSize = Math.min(size, this.windowSize * 2);
        i = next;
        continue;
      }
      // A record the fast path leaves to the exact one, which reads it and hands back: a byte
      // the fast path does not take, or a record longer than the window. Each window is copied
      // before it is scanned, so the next one is about twice what the fast path read before that
      // record; when it read none, the exact path goes on for a run of records (doubling, to
      // MAX_BACKOFF) before the fast path tries again. So a file whose every record needs the
      // exact path (old Mac line ends, an address over two lines on every row, rows longer than
      // the window) costs about what the exact path alone costs.
      this.windowSize = stopped ? Math.max(MIN_WINDOW, Math.min(size, 2 * (next - i))) : Math.min(size, this.windowSize * 2);
      this.backoff = next === i ? Math.min(Math.max(1, this.backoff * 2), MAX_BACKOFF) : 0;
      i = this.scanBytes(next, true);
      for (let k = 1; k < this.backoff && i < n; k++) i = this.scanBytes(i, true);
    }
  }

  /** True at the first byte of a record, with nothing carried over: where the fast path may start. */
  private atRecordStart(i: number): boolean {
    return this.state === S.FieldStart && this.recordStart === i && this.count === 0 && !this.oversized && !this.pendingCR && !this.pendingC2;
  }

  /** The fast path's records, `count` of them, from `base`; returns where the next record starts. */
  private records(base: number, count: number): number {
    const { out, recs } = this.fast!;
    const buf = this.buf;
    let next = base;
    let at = 0;
    this.fieldEnds = out;
    for (let r = 0; r < count; r++) {
      const to = recs[r]!;
      const end = out[to - 1]!;
      this.fieldAt = at;
      this.finishRecord(to - at, false);
      next = end + (buf[end] === 0x0d ? 2 : 1);
      this.nextRecord(next);
      at = to;
    }
    this.fieldEnds = this.ends;
    this.fieldAt = 0;
    this.recordsRead.fast += count;
    return next;
  }

  /** The exact path: byte by byte from `from`, to buf's end or, with `oneRecord`, to the end of the record it is in; returns where it stopped. */
  private scanBytes(from: number, oneRecord: boolean): number {
    const buf = this.buf;
    const n = buf.length;
    let i = from;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (i < n && buf[i] === 0x0a) {
        i++;
        this.recordStart = this.fieldStart = i;
      }
    }
    if (this.pendingC2) {
      this.pendingC2 = false;
      if (i < n) this.checkC1(buf[i]!);
    }
    let state = this.state;
    while (i < n) {
      if (state === S.Quoted) {
        let c = ORD;
        while (i < n && (c = QUOTED[buf[i]!]!) === ORD) i++;
        if (i >= n) break;
        if (c === QUOTE) {
          if (i + 1 >= n) state = S.QuotePending;
          else if (buf[i + 1] === 0x22) i++;
          else if (buf[i + 1] === 0x2c) {
            // The closing quote and the comma after it, the usual end of a quoted field, at once.
            this.endField(i + 1);
            state = S.FieldStart;
            i += 2;
            continue;
          } else state = S.AfterQuote;
        } else if (c === LF) this.line++;
        else this.special(c, buf, i);
        i++;
        continue;
      }
      if (state === S.QuotePending) {
        if (buf[i] === 0x22) {
          state = S.Quoted;
          i++;
          continue;
        }
        state = S.AfterQuote;
      }
      if (state === S.AfterQuote) {
        const b = buf[i]!;
        if (b !== 0x2c && b !== 0x0a && b !== 0x0d) this.problem({ line: this.line, column: this.columnName(), message: `has ${shown(charAt(buf, i))} after a closing quote; a quote inside a quoted field must be doubled ("")` });
        state = S.Unquoted;
      } else if (state === S.FieldStart) {
        if (buf[i] === 0x22) {
          state = S.Quoted;
          this.quoteLine = this.line;
          i++;
          continue;
        }
        state = S.Unquoted;
      }
      let c = ORD;
      while (i < n && (c = UNQUOTED[buf[i]!]!) === ORD) i++;
      if (i >= n) break;
      switch (c) {
        case COMMA:
          this.endField(i);
          state = S.FieldStart;
          i++;
          break;
        case LF:
        case CR:
          this.endRecord(i);
          state = S.FieldStart;
          i++;
          if (c === CR) {
            if (i >= n) this.pendingCR = true;
            else if (buf[i] === 0x0a) i++;
          }
          this.nextRecord(i);
          if (oneRecord) {
            this.state = state;
            return i;
          }
          break;
        case QUOTE:
          this.problem({ line: this.line, column: this.columnName(), message: 'has a quote inside an unquoted field; quote the whole field and double the quote ("")' });
          i++;
          break;
        default:
          this.special(c, buf, i);
          i++;
      }
    }
    this.state = state;
    return n;
  }

  private nextRecord(i: number): void {
    this.line++;
    this.recordLine = this.line;
    this.recordStart = this.fieldStart = i;
  }

  /** A control character, or 0xC2 that may lead a C1 control character. */
  private special(c: number, buf: Buffer, i: number): void {
    if (c === CTRL) this.control(buf[i]!);
    else if (i + 1 < buf.length) this.checkC1(buf[i + 1]!);
    else this.pendingC2 = true;
  }

  private checkC1(next: number): void {
    if (next >= 0x80 && next <= 0x9f) this.control(next);
  }

  private control(code: number): void {
    const name = code === 0 ? ' (NUL)' : '';
    this.problem({
      line: this.line,
      column: this.columnName(),
      message: `has the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}${name}; only tab and line breaks may appear in a CSV`,
    });
  }

  private columnName(): string {
    const index = this.count;
    return (this.headerUsable ? this.header?.[index] : undefined) ?? `column ${index + 1}`;
  }

  private endField(i: number): void {
    const k = this.count++;
    if (!this.oversized && (!this.headerUsable || k < this.header!.length)) {
      if (k >= this.ends.length) {
        const grown = new Int32Array(this.ends.length * 2);
        grown.set(this.ends);
        this.ends = this.fieldEnds = grown;
      }
      this.ends[k] = i;
    }
    this.fieldStart = i + 1;
  }

  /** The exact path's end of a record at byte i. */
  private endRecord(i: number): void {
    this.recordsRead.exact++;
    this.endField(i);
    if (!this.oversized && i - this.recordStart > MAX_RECORD_BYTES) this.tooLong();
    const count = this.count;
    const oversized = this.oversized;
    this.count = 0;
    this.oversized = false;
    this.finishRecord(count, oversized);
  }

  /** A record's checks, once its `count` fields are known (the row accessors read them). */
  private finishRecord(count: number, oversized: boolean): void {
    const line = this.recordLine;
    if (count === 1 && !oversized && this.fieldTo(0) === this.recordStart) {
      // Blank lines are only fine at the end of the file; one in the middle is reported when a row follows it.
      this.pendingBlank ||= line;
      return;
    }
    if (this.pendingBlank) {
      this.problem({ line: this.pendingBlank, message: 'is blank; remove empty lines between rows' });
      this.pendingBlank = 0;
    }
    if (!this.header) {
      this.readHeader(count, oversized, line);
      return;
    }
    this.rows++;
    if (!this.headerUsable || oversized) return;
    if (count !== this.header.length) {
      this.problem({ line, message: `has ${count} field${count === 1 ? '' : 's'}; the header has ${this.header.length}` });
    } else if (this.rowCheck) {
      this.row.line = line;
      this.rowCheck(this.row);
    }
  }

  private readHeader(count: number, oversized: boolean, line: number): void {
    if (oversized) {
      this.header = [];
      return;
    }
    const header = Array.from({ length: count }, (_, k) => this.value(k));
    this.header = header;
    this.headerUsable = true;
    const seen = new Set<string>();
    for (const name of header) {
      if (name.trim() === '') this.problem({ line, message: 'has an empty column name in the header' });
      if (seen.has(name)) this.problem({ line, column: name, message: 'appears twice in the header' });
      seen.add(name);
    }
    this.rowCheck = this.onHeader?.(header, this);
  }

  private fieldFrom(k: number): number {
    return k === 0 ? this.recordStart : this.fieldEnds[this.fieldAt + k - 1]! + 1;
  }

  private fieldTo(k: number): number {
    return this.fieldEnds[this.fieldAt + k]!;
  }

  private value(k: number): string {
    const buf = this.buf;
    const s = this.fieldFrom(k);
    const e = this.fieldTo(k);
    if (isQuoted(buf, s, e)) {
      const inner = buf.toString('utf8', s + 1, e - 1);
      return inner.includes('""') ? inner.replaceAll('""', '"') : inner;
    }
    return buf.toString('utf8', s, e);
  }

  private addTo(keys: UniqueKeys, k: number): void {
    const buf = this.buf;
    const s = this.fieldFrom(k);
    const e = this.fieldTo(k);
    if (isQuoted(buf, s, e)) keys.part(buf, s + 1, e - 1, true);
    else keys.part(buf, s, e);
  }

  private isEmpty(k: number): boolean {
    const s = this.fieldFrom(k);
    const len = this.fieldTo(k) - s;
    return len === 0 || (len === 2 && this.buf[s] === 0x22);
  }

  private isBlank(k: number): boolean {
    const s = this.fieldFrom(k);
    if (s === this.fieldTo(k)) return true;
    // The usual answer at once: a value that starts with anything but a space, a tab or a quote.
    const first = this.buf[s];
    if (first !== 0x20 && first !== 0x09 && first !== 0x22) return false;
    return this.matches(k, onlySpacesAndTabs);
  }

  private matches(k: number, test: (bytes: Uint8Array, start: number, end: number) => boolean): boolean {
    const buf = this.buf;
    let s = this.fieldFrom(k);
    let e = this.fieldTo(k);
    if (isQuoted(buf, s, e)) {
      s++;
      e--;
      for (let i = s; i < e; i++) {
        if (buf[i] !== 0x22) continue;
        // A doubled quote inside: the value's bytes are not the field's.
        const value = Buffer.from(this.value(k));
        return test(value, 0, value.length);
      }
    }
    return test(buf, s, e);
  }

  private readonly row = {
    line: 0,
    value: (k: number) => this.value(k),
    addTo: (keys: UniqueKeys, k: number) => this.addTo(keys, k),
    isEmpty: (k: number) => this.isEmpty(k),
    isBlank: (k: number) => this.isBlank(k),
    byteLength: (k: number) => this.fieldTo(k) - this.fieldFrom(k),
    matches: (k: number, test: (bytes: Uint8Array, start: number, end: number) => boolean) => this.matches(k, test),
  };

  // UTF-8: natively per chunk; a sequence cut by the chunk's end is carried into the next chunk.
  private checkUtf8(chunk: Buffer): void {
    let from = 0;
    if (this.utf8Tail.length > 0) {
      const tail = this.utf8Tail;
      const need = Math.min(sequenceLength(tail[0]!) - tail.length, chunk.length);
      const joined = Buffer.concat([tail, chunk.subarray(0, need)]);
      from = need;
      if (joined.length < sequenceLength(tail[0]!) && need === chunk.length && [...chunk].every((b) => (b & 0xc0) === 0x80)) {
        this.utf8Tail = joined;
        return;
      }
      this.utf8Tail = EMPTY;
      if (!isUtf8(joined)) this.utf8Problems(joined, 0, joined.length);
    }
    let end = chunk.length;
    let j = end - 1;
    while (j >= from && end - j < 4 && (chunk[j]! & 0xc0) === 0x80) j--;
    if (j >= from) {
      const len = sequenceLength(chunk[j]!);
      if (len > 0 && j + len > end) end = j;
    }
    if (end < chunk.length) this.utf8Tail = Buffer.from(chunk.subarray(end));
    if (!isUtf8(chunk.subarray(from, end))) this.utf8Problems(chunk, from, end);
  }

  /** The slow path, only for bytes that failed: names the line of each bad byte. */
  private utf8Problems(bytes: Uint8Array, from: number, end: number): void {
    let line = this.line;
    for (let i = from; i < end; i++) {
      const b = bytes[i]!;
      if (b === 0x0a) line++;
      if (b < 0x80) continue;
      const len = sequenceLength(b);
      let ok = len > 0 && i + len <= end;
      if (ok) {
        let cp = b & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
        for (let k = 1; k < len; k++) {
          const cont = bytes[i + k]!;
          if ((cont & 0xc0) !== 0x80) ok = false;
          cp = (cp << 6) | (cont & 0x3f);
        }
        const min = len === 2 ? 0x80 : len === 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) ok = false;
      }
      if (ok) i += len - 1;
      else this.problem({ line, message: `is not UTF-8 (byte 0x${b.toString(16).padStart(2, '0')}); save the file as UTF-8` });
    }
  }

  end(): CsvResult {
    if (this.head) {
      const head = this.head;
      this.head = undefined;
      if (head.length > 0 && this.start(head)) this.feed(asBuffer(head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head));
    }
    if (!this.abandoned) {
      this.rowCheck?.finish?.();
      if (this.utf8Tail.length > 0) this.problem({ line: this.line, message: 'ends in the middle of a UTF-8 character' });
      const neverClosed = this.state === S.Quoted;
      if (neverClosed) {
        this.problem({ line: this.quoteLine, message: 'has a quoted field that is never closed (a missing closing quote)' });
      } else if (this.state !== S.FieldStart || this.count > 0 || this.buf.length > this.recordStart) {
        this.endRecord(this.buf.length);
      }
      if (!this.sawBytes || !this.header) this.problem({ message: 'is empty' });
      else if (this.header.length === 0) this.problem({ line: 1, message: 'has a header that cannot be read, so no row was checked' });
      else if (this.rows === 0 && !neverClosed) this.problem({ message: 'has a header and no rows' });
    }
    this.buf = EMPTY;
    // In line order: UTF-8 is checked a chunk ahead of the rest, so the order found depends on the chunks.
    const problems = this.problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    return { header: this.header ?? [], rows: this.rows, problems, moreProblems: this.more };
  }
}

/** The character that starts at byte i, for messages. */
function charAt(buf: Buffer, i: number): string {
  const len = Math.max(1, sequenceLength(buf[i]!));
  return buf.toString('utf8', i, Math.min(buf.length, i + len));
}

/** Convenience for tests and small inputs. */
export function checkCsv(bytes: Uint8Array, chunkSize = 64 * 1024, onHeader?: HeaderHook): CsvResult {
  const checker = new CsvChecker(onHeader);
  for (let i = 0; i < bytes.length; i += chunkSize) checker.write(bytes.subarray(i, i + chunkSize));
  return checker.end();
}

/**
 * A row check that the values of `columns` (one column, or several as one key) are unique in
 * the file, reported when the file has been read, each repeat with the line it repeats;
 * undefined when the header lacks one of them (the header check says so).
 */
export function uniqueColumns(checker: CsvChecker, header: readonly string[], columns: readonly string[], rule: string, max = MAX_KEYS): RowCheck | undefined {
  const indexes = columns.map((c) => header.indexOf(c));
  if (indexes.some((i) => i < 0)) return undefined;
  const keys = new UniqueKeys(max);
  const column = columns.join(' + ');
  let full = false;
  // Runs for every row of the file: plain index loops, no closure per row.
  const check: RowCheck = (row) => {
    if (full) return;
    let j = 0;
    while (j < indexes.length && row.isEmpty(indexes[j]!)) j++;
    if (j === indexes.length) return;
    keys.begin();
    for (j = 0; j < indexes.length; j++) row.addTo(keys, indexes[j]!);
    if (keys.commit(row.line)) return;
    full = true;
    checker.problem({
      line: row.line,
      column,
      message: `is past ${max.toLocaleString('en-US')} rows with a value, the most whose uniqueness can be checked in a step's memory; split the file so that ${rule} can be checked`,
    });
  };
  check.finish = () => {
    const { first, count } = keys.repeats(MAX_PROBLEMS);
    for (const [line, firstLine] of first) checker.problem({ line, column, message: `has the same value as line ${firstLine}; ${rule}` });
    checker.moreProblems(count - first.length);
  };
  return check;
}
