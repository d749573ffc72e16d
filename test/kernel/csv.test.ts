import { describe, expect, it } from 'vitest';
import { checkCsv, MAX_RECORD_BYTES, uniqueColumns, type CsvResult } from '../../lambdas/csv.js';
import { UniqueKeys } from '../../lambdas/unique.js';

const enc = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('CSV checker', () => {
  it('accepts RFC 4180: quoted commas, doubled quotes, quoted line breaks, CRLF and a BOM', () => {
    const r = checkCsv(enc('\ufeffid,name\r\n1,"Smith, Jo"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n'), 5);
    expect(r).toEqual({ header: ['id', 'name'], rows: 3, problems: [], moreProblems: 0 });
  });

  it('gives the same answer however the bytes are split', () => {
    const text = enc('id,name\n1,"Zoë, ""Z"""\n2,Nguyễn\n');
    for (const size of [1, 2, 3, 7, 1000]) expect(checkCsv(text, size)).toEqual({ header: ['id', 'name'], rows: 2, problems: [], moreProblems: 0 });
  });

  it.each([
    ['id,name\n1,"unclosed\n2,x\n', { line: 2, message: expect.stringMatching(/never closed/) }],
    ['id,name\n1,"a"b\n', { line: 2, column: 'name', message: expect.stringMatching(/after a closing quote/) }],
    ['id,name\n1,a"b\n', { line: 2, column: 'name', message: expect.stringMatching(/quote inside an unquoted field/) }],
    ['id,name\n1,a,extra\n', { line: 2, message: 'has 3 fields; the header has 2' }],
    ['id,name\n1,a\n\n2,b\n', { line: 3, message: expect.stringMatching(/is blank/) }],
    ['id,id\n1,2\n', { line: 1, column: 'id', message: 'appears twice in the header' }],
  ])('reports %j with its line and column', (text, problem) => {
    expect(checkCsv(enc(text)).problems).toContainEqual(problem);
  });

  it('names the line of a byte that is not UTF-8 (Latin-1 é)', () => {
    const bytes = new Uint8Array([...enc('id,name\n1,ok\n2,Ren'), 0xe9, ...enc('\n')]);
    expect(checkCsv(bytes).problems).toEqual([{ line: 3, message: 'is not UTF-8 (byte 0xe9); save the file as UTF-8' }]);
  });

  it('calls an empty file and a header without rows what they are', () => {
    expect(checkCsv(enc('')).problems).toEqual([{ message: 'is empty' }]);
    expect(checkCsv(enc('\ufeff')).problems).toEqual([{ message: 'is empty' }]);
    expect(checkCsv(enc('id,name\r\n')).problems).toEqual([{ message: 'has a header and no rows' }]);
  });

  it('lists twenty problems and counts the rest', () => {
    const r = checkCsv(enc(`a,b\n${'1\n'.repeat(30)}`));
    expect(r.problems).toHaveLength(20);
    expect(r.moreProblems).toBe(10);
  });
});

describe('CSV checker: what else it knows', () => {
  it.each([
    ['NUL', concat('id,name\n1,a', [0], 'b\n'), { line: 2, column: 'name', message: expect.stringMatching(/control character U\+0000 \(NUL\)/) }],
    ['BEL in a quoted field', concat('id,name\n1,"a\nb', [7], '"\n'), { line: 3, column: 'name', message: expect.stringMatching(/U\+0007/) }],
    ['vertical tab', concat('id,name\n', [0x0b], '1,a\n'), { line: 2, column: 'id', message: expect.stringMatching(/U\+000B/) }],
    ['DEL', concat('id,name\n1,a', [0x7f], '\n'), { line: 2, column: 'name', message: expect.stringMatching(/U\+007F/) }],
    ['a C1 control (U+0093, a Windows-1252 quote decoded as Latin-1)', concat('id,name\n1,', [0xc2, 0x93], 'hi\n'), { line: 2, column: 'name', message: expect.stringMatching(/U\+0093/) }],
  ])('reports a control character: %s', (_label, bytes, problem) => {
    expect(checkCsv(bytes).problems).toContainEqual(problem);
  });

  it('takes tab, CR and LF, and U+00A0 (0xC2 0xA0), as ordinary', () => {
    expect(checkCsv(concat('id,name\r\n1,"a\tb\r\nc"\r\n2,', [0xc2, 0xa0], '\r\n')).problems).toEqual([]);
  });

  it('says a UTF-16 file is UTF-16 and nothing else', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,name\r\n1,a\r\n', 'utf16le')]);
    expect(checkCsv(utf16).problems).toEqual([{ message: 'is UTF-16 (it starts with a UTF-16 byte-order mark); save the file as UTF-8' }]);
  });

  it('counts lines ended by a lone CR (old Mac files)', () => {
    expect(checkCsv(enc('id,name\r1,a\r2,b,c\r')).problems).toEqual([{ line: 3, message: 'has 3 fields; the header has 2' }]);
  });

  it('names a record longer than the cap with its line and keeps none of it', () => {
    const long = `id,name\n1,a\n2,${'x'.repeat(MAX_RECORD_BYTES + 10)}\n3,c,extra\n`;
    for (const size of [64 * 1024, 1 << 22]) {
      const r = checkCsv(enc(long), size);
      expect(r.rows).toBe(3);
      expect(r.problems).toEqual([
        { line: 3, message: expect.stringMatching(/longer than 1 MiB/) },
        { line: 4, message: 'has 3 fields; the header has 2' },
      ]);
    }
  });

  it('an unclosed quote early in a large file: the long record and the quote, each with its line', () => {
    const text = `id,name\n1,"never closed\n${'2,ok\n'.repeat(400_000)}`;
    const r = checkCsv(enc(text));
    expect(r.problems).toEqual([
      { line: 2, message: 'has a quoted field that is never closed (a missing closing quote)' },
      { line: 2, message: expect.stringMatching(/longer than 1 MiB/) },
    ]);
  });

  it('keeps messages small: values are cut short, column names too', () => {
    const name = 'n'.repeat(5000);
    const r = checkCsv(enc(`id,${name}\n1,"a"${'b'.repeat(5000)}\n`));
    expect(r.problems).toHaveLength(1);
    expect(JSON.stringify(r.problems).length).toBeLessThan(400);
  });

  it('100,000 bad rows make 20 listed problems and a count', () => {
    const r = checkCsv(enc(`a,b\n${'1,2,3\n'.repeat(100_000)}`));
    expect(r.problems).toHaveLength(20);
    expect(r.moreProblems).toBe(99_980);
  });

  it('gives the same problems, lines and columns however a messy file is split', () => {
    // Bad UTF-8, a sequence cut anywhere, CRLF, a doubled quote at a boundary, controls, C1, a BOM.
    const messy = concat([0xef, 0xbb, 0xbf], 'id,name\r\n1,"Zoë ""Z""\r\nx"\r\n2,ab', [0xe9], 'c\r\n3,', [0xc2, 0x85], ',x\n4,a"b\n5,"q"z\n', [0xf0, 0x9f, 0x98, 0x80], ',', [1], '\n6,"', [0xe2, 0x82], '"\n');
    const whole = checkCsv(messy, messy.length);
    expect(whole.problems.length).toBeGreaterThanOrEqual(6);
    for (let size = 1; size <= 9; size++) expect(checkCsv(messy, size), `chunks of ${size}`).toEqual(whole);
  });
});

describe('chunk boundaries', () => {
  it('reads a file with line breaks inside quotes, CRLF and repeats the same in chunks of any size', () => {
    // Deterministic "random" rows: quoted fields with line breaks and doubled quotes, CRLF or LF, a few repeated ids and bad rows.
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const rows = ['id,text,n'];
    for (let i = 0; i < 3000; i++) {
      const kind = next(6);
      // Rows whose record spans line breaks repeat their ids often, so a key read from the wrong bytes shows.
      const id = kind === 0 ? `m${next(60)}` : next(50) === 0 ? `r${next(i + 1)}` : `r${i}`;
      const text = kind === 0 ? `"line one\nline ""two""\r\nthree"` : kind === 1 ? 'plain' : kind === 2 ? '"quoted, comma"' : kind === 3 ? '' : kind === 4 ? `"${'y'.repeat(next(300))}"` : 'a"b';
      rows.push(`${id},${text},${next(2) ? next(1000) : `${next(9)},extra`}${next(3) ? '\r\n' : '\n'}`.replace(/\r?\n$/, ''));
    }
    const bytes = enc(rows.join(next(2) ? '\n' : '\r\n') + '\n');
    const check = (size: number) => checkCsv(bytes, size, (header, checker) => uniqueColumns(checker, header, ['id'], 'ids are unique'));
    const whole = check(bytes.length);
    expect(whole.rows).toBe(3000);
    expect(whole.problems.length + whole.moreProblems).toBeGreaterThan(20);
    for (const size of [1, 2, 13, 64, 100, 257, 1000, 4096, 65_536]) expect(check(size), `chunks of ${size}`).toEqual(whole);
  });
});

describe('unique columns', () => {
  const ids = (text: string, columns: string[], chunk = 7): CsvResult =>
    checkCsv(enc(text), chunk, (header, checker) => uniqueColumns(checker, header, columns, 'ids are unique'));

  it('names each repeat and the line it repeats, quoted or not', () => {
    expect(ids('id,name\nA1,x\nB2,y\n"A1",z\n', ['id']).problems).toEqual([{ line: 4, column: 'id', message: 'has the same value as line 2; ids are unique' }]);
    expect(ids('id,name\n"a""b",x\na"b,y\n"a""b",y\n', ['id']).problems).toContainEqual({ line: 4, column: 'id', message: 'has the same value as line 2; ids are unique' });
    expect(ids('id,name\nA1,x\nA1 ,y\na1,z\n,w\n"",v\n', ['id']).problems).toEqual([]);
  });

  it('takes several columns as one key, and tells AB,C from A,BC', () => {
    const text = 'person_id,product,roles\n1,PSS,a\n1,SLL,b\nAB,C,x\nA,BC,y\n1,PSS,c\n';
    expect(ids(text, ['person_id', 'product']).problems).toEqual([{ line: 6, column: 'person_id + product', message: 'has the same value as line 2; ids are unique' }]);
  });

  it('lists the first twenty repeats in line order and counts the rest', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `K${i % 100},x`).join('\n');
    const r = ids(`id,name\n${rows}\n`, ['id'], 64 * 1024);
    expect(r.problems.map((p) => p.line)).toEqual(Array.from({ length: 20 }, (_, i) => 102 + i));
    expect(r.problems[0]!.message).toBe('has the same value as line 2; ids are unique');
    expect(r.moreProblems).toBe(4900 - 20);
  });

  it('holds a million distinct keys with no false repeat and finds every real one with its first line', () => {
    const keys = new UniqueKeys();
    for (let i = 0; i < 1_000_000; i++) keys.add([Buffer.from(`P${i}`)], i + 2);
    expect(keys.repeats(20)).toEqual({ first: [], count: 0 });
    for (const [n, i] of [0, 999_999, 123_456].entries()) keys.add([Buffer.from(`P${i}`)], 2_000_000 + n);
    expect(keys.repeats(20)).toEqual({ first: [[2_000_000, 2], [2_000_001, 1_000_001], [2_000_002, 123_458]], count: 3 });
  });

  it('says when it is full instead of passing what it could not check', () => {
    const keys = new UniqueKeys(3);
    for (const k of ['a', 'b', 'c']) expect(keys.add([Buffer.from(k)], 2)).toBe(true);
    expect(keys.add([Buffer.from('d')], 5)).toBe(false);
    const r = checkCsv(enc('id\na\nb\na\nd\ne\n'), 3, (header, checker) => uniqueColumns(checker, header, ['id'], 'ids are unique', 3));
    expect(r.problems).toEqual([
      { line: 4, column: 'id', message: 'has the same value as line 2; ids are unique' },
      { line: 5, column: 'id', message: expect.stringMatching(/^is past 3 rows with a value, the most whose uniqueness can be checked/) },
    ]);
  });
});
