import { describe, expect, it } from 'vitest';
import { takeTargets, target, targetTable } from '../bench/targets.js';

describe('benchmark targets', () => {
  it('shows each target beside its figure and ends the run with every target, met or not', () => {
    takeTargets();
    expect(target('SFTP vs sftp -b', 0.79, { atLeast: 0.8 })).toBe('(target ≥ 0.8)');
    expect(target('largest step', 256, { atMost: 256, unit: ' MB' })).toBe('(target ≤ 256 MB)');
    expect(target('checker', 1_234.5, { atLeast: 200, unit: ' MiB/s' })).toBe('(target ≥ 200 MiB/s)');
    const taken = takeTargets();
    expect(taken.map((t) => [t.what, t.met])).toEqual([
      ['SFTP vs sftp -b', false],
      ['largest step', true],
      ['checker', true],
    ]);
    expect(takeTargets()).toEqual([]);
    const table = targetTable(taken);
    expect(table[0]).toMatch(/^ {2}NOT MET {2}SFTP vs sftp -b +0\.79 {2}target ≥ 0\.8$/);
    expect(table[1]).toMatch(/^ {2}met {6}largest step +256 MB {2}target ≤ 256 MB$/);
    expect(table[2]).toContain('1,235 MiB/s');
    expect(table.at(-1)).toBe('2 of 3 targets met in this run.');
    expect(targetTable([])).toEqual([]);
  });
});
