/** How numbers, sizes and elapsed time read in the CLI's lines. */
export const fmtInt = (n: number) => n.toLocaleString('en-US');

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Seconds since the run started, right-aligned, for progress lines. */
export function elapsed(): () => string {
  const started = Date.now();
  return () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
}

/** "1 object", "3 objects": a count with its noun. */
export const plural = (n: number, noun: string, nouns = `${noun}s`): string => `${fmtInt(n)} ${n === 1 ? noun : nouns}`;

/** "a" or "an" before a word. */
export const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/** The calendar date (YYYY-MM-DD) at an instant in a time zone. */
export function dateIn(at: number, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Whole calendar days from one YYYY-MM-DD date to another (negative when `to` is earlier). */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
