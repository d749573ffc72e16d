/** What an export moved, summed per part, window, entity and run. */
export interface Counts {
  records: number;
  parts: number;
  bytes: number;
  pages: number;
}

export const noCounts = (): Counts => ({ records: 0, parts: 0, bytes: 0, pages: 0 });

export const addCounts = (a: Counts, b: Counts): Counts => ({ records: a.records + b.records, parts: a.parts + b.parts, bytes: a.bytes + b.bytes, pages: a.pages + b.pages });
