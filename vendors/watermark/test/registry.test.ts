import { describe, expect, it } from 'vitest';
import { matchHeader, SEED_REGISTRY, type Registry } from '../registry.js';

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
