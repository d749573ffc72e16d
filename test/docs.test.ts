import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { updateReadme } from '../cli/docs.js';
import { z } from '../lambdas/zod.js';
import { localVendors } from '../local/config.js';

describe("the README's settings tables", () => {
  it('are what the schemas say, for the hub and every vendor', async () => {
    const readme = readFileSync('README.md', 'utf-8');
    const { text, missing } = updateReadme(readme, await localVendors());
    expect(missing).toEqual([]);
    // On failure: run ./bin/etl.mjs docs and review the diff.
    expect(text).toBe(readme);
  });

  it('fail the check when a setting is added to a schema but not to the README', async () => {
    const readme = readFileSync('README.md', 'utf-8');
    const vendors = await localVendors();
    const cg = vendors.find((v) => v.connector.name === 'campusgroups')!;
    const schema = z.extend(cg.connector.settings.schema, { newSetting: z._default(z.int(), 7) });
    const changed = vendors.map((v) => (v === cg ? { ...v, connector: { ...v.connector, settings: { ...v.connector.settings, schema, docs: { ...v.connector.settings.docs, newSetting: 'a new knob' } } } } : v));
    const { text } = updateReadme(readme, changed);
    expect(text).not.toBe(readme);
    expect(text).toContain('| `newSetting` | `7` | a new knob |');
  });
});
