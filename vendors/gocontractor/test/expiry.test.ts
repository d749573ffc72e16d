import { describe, expect, it } from 'vitest';
import { daysToExpiry } from '../api.js';

describe("a GoContractor key's expiry", () => {
  // 03:00 UTC on 28 November is still the evening of the 27th in Chicago.
  const now = Date.parse('2026-11-28T03:00:00Z');

  it('counts calendar days in the district time zone, the key working through its date', () => {
    expect(daysToExpiry('2026-11-28', now, 'America/Chicago')).toBe(1);
    expect(daysToExpiry('2026-11-28', now, 'UTC')).toBe(0);
    expect(daysToExpiry('2026-11-27', now, 'America/Chicago')).toBe(0);
    expect(daysToExpiry('2026-11-27', now, 'UTC')).toBe(-1);
    expect(daysToExpiry('2026-12-03', now, 'America/Chicago')).toBe(6);
    expect(daysToExpiry(undefined, now, 'UTC')).toBeUndefined();
  });

  it('names a date it cannot read', () => {
    expect(() => daysToExpiry('28/11/2026', now, 'UTC')).toThrow(/expiresOn in the GoContractor secret is not a date \(YYYY-MM-DD\): "28\/11\/2026"/);
    expect(() => daysToExpiry('2026-02-30T00:00', now, 'UTC')).toThrow(/not a date/);
  });
});
