/**
 * The targets a benchmark run is held to, as its figures come in: each bench line shows its
 * target beside the figure, and the run ends with one table of every target, met or not.
 */
export interface TargetResult {
  what: string;
  value: number;
  /** As shown: "≥ 0.8", "≤ 256 MB". */
  target: string;
  unit: string;
  met: boolean;
}

export interface Bound {
  atLeast?: number;
  atMost?: number;
  /** Shown after the bound and the value, e.g. ' MB'. */
  unit?: string;
}

const results: TargetResult[] = [];

/** A ratio to two decimals; a figure with a unit (MB, MiB/s) whole. */
const shown = (n: number, unit = '') => n.toLocaleString('en-US', { maximumFractionDigits: unit ? 0 : 2 });

/** Records `value` against its bound under `what`, and returns "(target ≥ 0.8)" for the bench line. */
export function target(what: string, value: number, bound: Bound): string {
  const unit = bound.unit ?? '';
  const met = (bound.atLeast === undefined || value >= bound.atLeast) && (bound.atMost === undefined || value <= bound.atMost);
  const text = [bound.atLeast === undefined ? '' : `≥ ${shown(bound.atLeast)}${unit}`, bound.atMost === undefined ? '' : `≤ ${shown(bound.atMost)}${unit}`].filter(Boolean).join(' and ');
  results.push({ what, value, target: text, unit, met });
  return `(target ${text})`;
}

/** The targets recorded since the last call, in the order they came. */
export function takeTargets(): TargetResult[] {
  return results.splice(0);
}

/** The run's closing table: every target, met or not, then how many were met. */
export function targetTable(list: readonly TargetResult[]): string[] {
  if (list.length === 0) return [];
  const width = Math.max(...list.map((r) => r.what.length));
  const met = list.filter((r) => r.met).length;
  return [
    ...list.map((r) => `  ${r.met ? 'met    ' : 'NOT MET'}  ${r.what.padEnd(width)}  ${`${shown(r.value, r.unit)}${r.unit}`.padStart(9)}  target ${r.target}`),
    `${met} of ${list.length} targets met in this run.`,
  ];
}
