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
