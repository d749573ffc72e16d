/**
 * Vendor JSON that lands as the vendor wrote it, numbers included.
 *
 * JSON allows numbers of any size; JavaScript reads them as doubles. An integer beyond 2^53
 * (a 64-bit id, say) comes back from JSON.parse as a nearby even number, and JSON.stringify
 * then writes that number: the landed record says another id, and two ids can become one. A
 * number too large for a double becomes Infinity, which JSON.stringify writes as null.
 *
 * So a body is parsed as usual, then its values are walked (about 70 ns a record of seven
 * fields, against about 500 ns to parse it). Only when a number may have lost digits (beyond
 * 2^53, or not finite) is the body parsed again, keeping the source text of every number that
 * would not print back as written; JSON.stringify writes those texts unchanged (JSON.rawJSON,
 * in Node since 21 and in the Lambda nodejs24.x runtime). Numbers within 2^53 keep their value
 * (a double), as every JSON reader has them.
 */

/**
 * True when some number in `value` may not be the number its text said. A loop over a stack,
 * not recursion: a body nested deeper than the call stack is still read (JSON.parse takes it).
 */
function mayHaveLostDigits(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (!(Math.abs(v) <= Number.MAX_SAFE_INTEGER)) return true;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (typeof v === 'object' && v !== null) {
      for (const key in v) stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return false;
}

/** Keeps a number's source text where the number would print otherwise. */
const keepDigits = (_key: string, value: unknown, context: { source?: string }): unknown =>
  typeof value === 'number' && context.source !== undefined && String(value) !== context.source ? JSON.rawJSON(context.source) : value;

/**
 * JSON.parse, except that a number that would not survive as a double (beyond 2^53, or too
 * large) is kept as its text: JSON.stringify writes it back exactly, and `jsonScalarText` reads
 * it. Throws what JSON.parse throws.
 */
export function parseVendorJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return mayHaveLostDigits(value) ? JSON.parse(text, keepDigits) : value;
}

/** A scalar as text for a key: a number kept by parseVendorJson gives its digits, not "[object Object]". */
export function jsonScalarText(value: unknown): string {
  return JSON.isRawJSON(value) ? value.rawJSON : String(value);
}
