/**
 * Ids beyond 2^53, as a sandbox serves them when asked to: record i has id 2^53 + i, written as
 * its digits. No vendor document here bounds an id, 64-bit ids are common, and a double cannot
 * hold them (2^53 and 2^53 + 1 read as the same number).
 */

/** The id of record i, as the server writes it. */
export const int64IdText = (i: number): string => (2n ** 53n + BigInt(i)).toString();

/** The id of record i as a value JSON.stringify writes as those digits. */
export const int64Id = (i: number): RawJSON => JSON.rawJSON(int64IdText(i));
