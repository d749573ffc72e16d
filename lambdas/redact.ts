/**
 * The one scrubbing boundary's memory: every secret value the process has read or obtained,
 * in every form it could take in text — as is, JSON-escaped, URL-encoded (%20 and +), base64
 * and base64url, and, for pairs of values of one secret, an HTTP Basic credential — so that no
 * log line, error, output or CLI line can carry it in any of them.
 */
const forms = new Set<string>();
let ordered: string[] = [];
const REDACTED = '[REDACTED]';

/** Shorter values are refused as too weak (etl doctor says so) rather than scrubbed from everything. */
export const MIN_SECRET_LENGTH = 6;

function addForms(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  const candidates = [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    Buffer.from(value, 'utf-8').toString('base64'),
    Buffer.from(value, 'utf-8').toString('base64').replace(/=+$/, ''),
    Buffer.from(value, 'utf-8').toString('base64url'),
  ];
  // A multi-line secret (a private key) can be quoted a line at a time.
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= 16) candidates.push(line.trim());
  for (const c of candidates) if (c.length >= MIN_SECRET_LENGTH) forms.add(c);
  ordered = [...forms].sort((a, b) => b.length - a.length);
}

/** Remembers a secret value (a string, or every string value of an object, and their Basic pairs). */
export function registerSecret(value: unknown): void {
  if (typeof value === 'string') addForms(value);
  else if (value && typeof value === 'object') {
    const strings = Object.values(value).filter((v): v is string => typeof v === 'string' && v.length > 0);
    for (const v of Object.values(value)) registerSecret(v);
    // client_id:client_secret and user:password travel as one base64 value in Basic auth.
    for (const a of strings) for (const b of strings) if (a !== b) addForms(`${a}:${b}`);
  }
}

export function scrub(text: string): string {
  if (ordered.length === 0 || !text) return text;
  let out = text;
  for (const form of ordered) if (out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}

/** How many forms are remembered (for tests that count what they checked). */
export const registeredForms = (): string[] => [...ordered];

const SECRET_PARAM = /secret|password|token|key|signature|credential|auth/i;

/** A URL fit to print: no user:password, no secret-looking query values. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    for (const key of [...u.searchParams.keys()]) if (SECRET_PARAM.test(key)) u.searchParams.set(key, 'REDACTED');
    return scrub(u.toString());
  } catch {
    return scrub(url.replace(/\/\/[^/@\s]*@/, '//***@'));
  }
}

/**
 * What an error body says that helps: the vendor's own error code and message fields, scrubbed
 * and capped; never the raw body (a vendor may echo the request's headers in it).
 */
export function vendorSaid(body: string, cap = 200): string {
  if (!body) return '';
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      const said = ['error', 'code', 'error_description', 'message', 'title', 'detail']
        .map((k) => record[k])
        .filter((v): v is string => typeof v === 'string' && v.length > 0)
        .map((v) => scrub(v).slice(0, cap));
      if (said.length > 0) return said.join(': ');
      return `a JSON body with keys ${Object.keys(record).slice(0, 10).join(', ')}`;
    }
  } catch {
    // not JSON
  }
  return `a ${body.length}-byte body that is not JSON`;
}
