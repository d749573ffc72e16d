import { describe, expect, it } from 'vitest';
import { checkCsv } from '../../../lambdas/csv.js';
import { matchHeader, SEED_REGISTRY, type Registry } from '../registry.js';

const enc = (s: string) => new TextEncoder().encode(s);

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

describe('header registry', () => {
  const registry: Registry = {
    source: 'test',
    refreshedFrom: 'test',
    types: [
      { type: 'person', file: 'person.csv', loadOrder: 3, uniqueId: 'person_id', columns: ['person_id', 'first_name', 'last_name'] },
      { type: 'roles', file: 'roles.csv', loadOrder: 12, uniqueId: 'person_id', columns: ['person_id', 'product', 'roles'] },
      { type: 'enrollments', file: 'enrollments.csv', loadOrder: 7, uniqueId: null, columns: null },
    ],
  };

  it('matches by header, not by name, in any column order', () => {
    expect(matchHeader(registry, ['roles', 'person_id', 'product'], 'anything.csv')).toMatchObject({ kind: 'exact', type: { type: 'roles' } });
  });

  it('names the closest type and what differs, including case-only differences', () => {
    expect(matchHeader(registry, ['person_id', 'First_Name', 'last_name'], 'people.csv')).toEqual({
      kind: 'none',
      closest: registry.types[0],
      missing: ['first_name'],
      unexpected: ['First_Name'],
      notes: ["'First_Name' differs from 'first_name' only in case or spaces"],
    });
    expect(matchHeader(registry, ['person_id', 'first_name'], 'person.csv')).toMatchObject({ kind: 'none', missing: ['last_name'], unexpected: [] });
  });

  it('takes a type whose header is unknown by its template file name only', () => {
    expect(matchHeader(registry, ['section_id', 'person_id'], 'enrollments.csv')).toMatchObject({ kind: 'byName', type: { type: 'enrollments' } });
  });

  it('seeds all twelve import types in load order, roles with its documented columns', () => {
    expect(SEED_REGISTRY.types.map((t) => t.file)).toEqual([
      'organizations.csv', 'programs.csv', 'person.csv', 'terms.csv', 'courses.csv', 'sections.csv', 'enrollments.csv',
      'basicpersonattributes.csv', 'studenttermattributes.csv', 'programcurriculum.csv', 'cohortenrollments.csv', 'roles.csv',
    ]);
    expect(SEED_REGISTRY.types.find((t) => t.type === 'roles')?.columns).toEqual(['person_id', 'product', 'roles']);
  });
});

describe('the _READY trigger', () => {
  it('names the execution after the S3 event, so a redelivered event starts nothing new', async () => {
    const { readyEventToExecution } = await import('../../../lambdas/ready-trigger.js');
    const event = { detail: { bucket: { name: 'b' }, object: { key: 'watermark/outbox/2026-11-22/_READY', sequencer: '0066AB' } } };
    const a = readyEventToExecution(event, 'watermark/outbox/');
    expect(a).toEqual({ name: expect.stringMatching(/^ready-2026-11-22-[0-9a-f]{12}$/), input: { batch: '2026-11-22' } });
    expect(readyEventToExecution(structuredClone(event), 'watermark/outbox/')).toEqual(a);
    expect(readyEventToExecution(event, 'samegoal/outbox/')).toBeUndefined();
    expect(readyEventToExecution({ detail: { object: { key: 'watermark/outbox/2026-11-22/_READY', sequencer: '0066AC' } } }, 'watermark/outbox/')!.name).not.toBe(a!.name);
    expect(readyEventToExecution({ detail: { object: { key: 'watermark/outbox/2026-11-22/person.csv' } } }, 'watermark/outbox/')).toBeUndefined();
  });
});
