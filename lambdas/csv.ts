/**
 * A streaming RFC 4180 checker: feed it a file's bytes in chunks, in order; it checks UTF-8
 * (a BOM is allowed), quoting and field counts, and returns the header, the number of data
 * rows and every problem with its line number. It keeps no rows: memory is one record.
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

const MAX_PROBLEMS = 20;

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class CsvChecker {
  /** Called with every data row (not the header) and the line it starts on, for checks of the values. */
  constructor(private readonly onRow?: (row: string[], line: number, header: string[]) => void) {}

  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  // UTF-8 validation runs on bytes, before decoding, so a bad byte is reported with its line.
  private utf8Need = 0;
  private utf8Min = 0;
  private utf8Cp = 0;
  private utf8Lead = 0;
  private byteLine = 1;
  private sawBytes = false;
  private firstChunk = true;

  private state = S.FieldStart;
  private field = '';
  private record: string[] = [];
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private lastWasCR = false;
  private header: string[] | undefined;
  private rows = 0;
  private readonly problems: CsvProblem[] = [];
  private more = 0;
  private pendingBlank = 0;

  /** Also for the row checks of a caller, so their problems share the list and its limit. */
  problem(p: CsvProblem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(p);
    else this.more++;
  }

  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.sawBytes = true;
    let start = 0;
    if (this.firstChunk) {
      this.firstChunk = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    this.checkUtf8(chunk, start);
    this.consume(this.decoder.decode(chunk.subarray(start), { stream: true }));
  }

  private checkUtf8(bytes: Uint8Array, from: number): void {
    for (let i = from; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.utf8Need > 0) {
        if ((b & 0xc0) !== 0x80) {
          this.badByte(this.utf8Lead);
          this.utf8Need = 0;
        } else {
          this.utf8Cp = (this.utf8Cp << 6) | (b & 0x3f);
          if (--this.utf8Need === 0 && (this.utf8Cp < this.utf8Min || this.utf8Cp > 0x10ffff || (this.utf8Cp >= 0xd800 && this.utf8Cp <= 0xdfff))) {
            this.badByte(this.utf8Lead);
          }
          continue;
        }
      }
      if (b === 0x0a) this.byteLine++;
      if (b < 0x80) continue;
      this.utf8Lead = b;
      if ((b & 0xe0) === 0xc0) [this.utf8Need, this.utf8Min, this.utf8Cp] = [1, 0x80, b & 0x1f];
      else if ((b & 0xf0) === 0xe0) [this.utf8Need, this.utf8Min, this.utf8Cp] = [2, 0x800, b & 0x0f];
      else if ((b & 0xf8) === 0xf0) [this.utf8Need, this.utf8Min, this.utf8Cp] = [3, 0x10000, b & 0x07];
      else this.badByte(b);
    }
  }

  private badByte(b: number): void {
    this.problem({ line: this.byteLine, message: `is not UTF-8 (byte 0x${b.toString(16).padStart(2, '0')}); save the file as UTF-8` });
  }

  private consume(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\n') {
        if (this.state === S.Quoted) {
          this.field += c;
          this.line++;
          continue;
        }
        if (!this.lastWasCR) this.endRecord();
        this.line++;
        this.lastWasCR = false;
        continue;
      }
      if (this.lastWasCR && this.state !== S.Quoted) {
        // A CR not followed by LF ends the record too (old Mac line endings).
        this.lastWasCR = false;
      }
      if (c === '\r' && this.state !== S.Quoted) {
        if (this.state === S.QuoteInQuoted) this.state = S.Unquoted;
        this.endRecord();
        this.lastWasCR = true;
        continue;
      }
      switch (this.state) {
        case S.FieldStart:
          if (c === '"') {
            this.state = S.Quoted;
            this.quoteLine = this.line;
          } else if (c === ',') this.endField();
          else {
            this.field += c;
            this.state = S.Unquoted;
          }
          break;
        case S.Unquoted:
          if (c === ',') this.endField();
          else if (c === '"') {
            this.problem({ line: this.line, column: this.columnName(), message: 'has a quote inside an unquoted field; quote the whole field and double the quote ("")' });
            this.field += c;
          } else this.field += c;
          break;
        case S.Quoted:
          if (c === '"') this.state = S.QuoteInQuoted;
          else this.field += c;
          break;
        case S.QuoteInQuoted:
          if (c === '"') {
            this.field += '"';
            this.state = S.Quoted;
          } else if (c === ',') this.endField();
          else {
            this.problem({ line: this.line, column: this.columnName(), message: `has '${c}' after a closing quote; a quote inside a quoted field must be doubled ("")` });
            this.field += c;
            this.state = S.Unquoted;
          }
          break;
      }
    }
  }

  private columnName(): string {
    const index = this.record.length;
    return this.header?.[index] ?? `column ${index + 1}`;
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
    this.state = S.FieldStart;
  }

  private endRecord(): void {
    this.endField();
    const record = this.record;
    this.record = [];
    const line = this.recordLine;
    this.recordLine = this.line + 1;
    if (record.length === 1 && record[0] === '') {
      // Blank lines are only fine at the end of the file; one in the middle is reported when a row follows it.
      this.pendingBlank = this.pendingBlank || line;
      return;
    }
    if (this.pendingBlank) {
      this.problem({ line: this.pendingBlank, message: 'is blank; remove empty lines between rows' });
      this.pendingBlank = 0;
    }
    if (!this.header) {
      this.header = record;
      const seen = new Set<string>();
      for (const name of record) {
        if (name.trim() === '') this.problem({ line, message: 'has an empty column name in the header' });
        if (seen.has(name)) this.problem({ line, column: name, message: 'appears twice in the header' });
        seen.add(name);
      }
      return;
    }
    this.rows++;
    if (record.length !== this.header.length) {
      this.problem({ line, message: `has ${record.length} field${record.length === 1 ? '' : 's'}; the header has ${this.header.length}` });
    } else {
      this.onRow?.(record, line, this.header);
    }
  }

  end(): CsvResult {
    this.consume(this.decoder.decode());
    if (this.utf8Need > 0) this.problem({ line: this.byteLine, message: 'ends in the middle of a UTF-8 character' });
    if (this.state === S.Quoted) {
      this.problem({ line: this.quoteLine, message: 'has a quoted field that is never closed (a missing closing quote)' });
    } else if (this.state !== S.FieldStart || this.record.length > 0 || this.field !== '') {
      if (!this.lastWasCR) this.endRecord();
    }
    if (!this.sawBytes || !this.header) this.problem({ message: 'is empty' });
    else if (this.rows === 0) this.problem({ message: 'has a header and no rows' });
    return { header: this.header ?? [], rows: this.rows, problems: this.problems, moreProblems: this.more };
  }
}

/** Convenience for tests and small inputs. */
export function checkCsv(bytes: Uint8Array, chunkSize = 64 * 1024): CsvResult {
  const checker = new CsvChecker();
  for (let i = 0; i < bytes.length; i += chunkSize) checker.write(bytes.subarray(i, i + chunkSize));
  return checker.end();
}
