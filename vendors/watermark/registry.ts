import seed from './registry.json' with { type: 'json' };

/**
 * The header registry: which Watermark import type a CSV is, judged as Watermark judges it,
 * by its header. Data, not code (registry.json; README "Watermark header registry").
 * A type whose `columns` is null is known only by its template file name until the registry
 * is refreshed from Watermark's sample templates.
 */
export interface ImportType {
  type: string;
  file: string;
  loadOrder: number;
  /** The column (or columns, together) whose values are unique within the file. */
  uniqueId: string | string[] | null;
  columns: string[] | null;
}

export interface Registry {
  source: string;
  refreshedFrom: string | null;
  types: ImportType[];
}

export const SEED_REGISTRY = seed as Registry;

export type HeaderMatch =
  | { kind: 'exact'; type: ImportType }
  /** Known only by file name: the header could not be checked. */
  | { kind: 'byName'; type: ImportType }
  | { kind: 'none'; closest?: ImportType; missing: string[]; unexpected: string[]; notes: string[] };

export function validateRegistry(value: unknown, where: string): Registry {
  const r = value as Partial<Registry>;
  if (!r || typeof r !== 'object' || !Array.isArray(r.types) || r.types.length === 0) throw new Error(`${where}: not a header registry (needs a "types" list)`);
  for (const [i, t] of r.types.entries()) {
    if (typeof t?.type !== 'string' || typeof t.file !== 'string' || typeof t.loadOrder !== 'number') {
      throw new Error(`${where}: types[${i}] needs type, file and loadOrder`);
    }
    if (t.uniqueId !== null && typeof t.uniqueId !== 'string' && (!Array.isArray(t.uniqueId) || t.uniqueId.some((c) => typeof c !== 'string'))) {
      throw new Error(`${where}: types[${i}].uniqueId must be a column name, a list of them, or null`);
    }
    if (t.columns !== null && (!Array.isArray(t.columns) || t.columns.some((c) => typeof c !== 'string'))) {
      throw new Error(`${where}: types[${i}].columns must be a list of column names or null`);
    }
  }
  return r as Registry;
}

/** The unique id column(s) of a type, as a list (empty when it has none). */
export function uniqueColumnsOf(type: ImportType): string[] {
  return type.uniqueId === null ? [] : typeof type.uniqueId === 'string' ? [type.uniqueId] : type.uniqueId;
}

const norm = (s: string) => s.trim().toLowerCase();

/**
 * Matches a header to exactly one type. Exact means the same set of column names, spelled
 * and cased the same (order free). Otherwise it names the closest type and what differs,
 * noting columns that differ only in case or surrounding spaces.
 */
export function matchHeader(registry: Registry, header: string[], fileName: string): HeaderMatch {
  const set = new Set(header);
  for (const type of registry.types) {
    if (type.columns && type.columns.length === set.size && type.columns.every((c) => set.has(c))) return { kind: 'exact', type };
  }
  let best: { type: ImportType; missing: string[]; unexpected: string[]; score: number } | undefined;
  for (const type of registry.types) {
    if (!type.columns) continue;
    const cols = new Set(type.columns);
    const missing = type.columns.filter((c) => !set.has(c));
    const unexpected = header.filter((c) => !cols.has(c));
    const shared = type.columns.length - missing.length;
    const score = shared / Math.max(type.columns.length, header.length);
    if (!best || score > best.score) best = { type, missing, unexpected, score };
  }
  const base = fileName.split('/').pop()!.toLowerCase();
  const byName = registry.types.find((t) => t.file.toLowerCase() === base);
  if (byName && !byName.columns) {
    const missingId = uniqueColumnsOf(byName).filter((c) => !header.includes(c));
    if (missingId.length === 0) return { kind: 'byName', type: byName };
    return { kind: 'none', closest: byName, missing: missingId, unexpected: [], notes: [] };
  }
  if (best && best.score > 0) {
    const notes: string[] = [];
    for (const m of best.missing) {
      const near = best.unexpected.find((u) => norm(u) === norm(m));
      if (near) notes.push(`'${near}' differs from '${m}' only in case or spaces`);
    }
    return { kind: 'none', closest: best.type, missing: best.missing, unexpected: best.unexpected, notes };
  }
  return { kind: 'none', closest: byName, missing: [], unexpected: [], notes: [] };
}
