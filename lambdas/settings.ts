import { z } from './zod.js';

/**
 * A vendor's settings, declared once: the zod schema yields the TypeScript type, the defaults
 * and the validation messages for the deployment config, the local config file and the
 * Lambdas' environment; `runtime` names the settings the Lambdas read (each becomes the
 * variable `<PREFIX>_<SETTING_IN_SCREAMING_SNAKE_CASE>`); `docs` is the README's settings table.
 */
export interface SettingsSpec<S extends z.ZodMiniObject = z.ZodMiniObject> {
  prefix: string;
  schema: S;
  runtime: ReadonlyArray<keyof z.infer<S> & string>;
  docs: Record<keyof z.infer<S> & string, string>;
  /** A rule across settings, checked with the deployment config: the field and what is wrong. */
  check?: (values: z.infer<S>) => { field: keyof z.infer<S> & string; problem: string } | undefined;
}

export const defineSettings = <S extends z.ZodMiniObject>(spec: SettingsSpec<S>): SettingsSpec<S> => spec;

export type SettingsOf<T> = T extends SettingsSpec<infer S> ? z.infer<S> : never;

/** baseUrl → BASE_URL, with the vendor's prefix: CAMPUSGROUPS_BASE_URL. */
export const envName = (prefix: string, key: string): string => `${prefix}_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

/** Variables every function gets, whatever its vendor. */
export const COMMON_ENV = { bucket: 'DATA_BUCKET', timeZone: 'TIME_ZONE', stateTable: 'STATE_TABLE' } as const;
export const secretIdEnv = (prefix: string): string => `${prefix}_SECRET_ID`;

/** What a schema holds under its wrappers (default, optional, nullable): string, number, boolean, array, enum… */
function baseType(schema: z.ZodMiniType): string {
  let def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodMiniType } } })._zod.def;
  while (def.innerType && ['default', 'optional', 'nullable', 'prefault', 'nonoptional', 'readonly', 'catch'].includes(def.type)) {
    def = (def.innerType as unknown as { _zod: { def: typeof def } })._zod.def;
  }
  return def.type;
}

/** The runtime settings as environment variables: names and numbers, never a secret. */
export function settingsToEnv(spec: SettingsSpec, values: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of spec.runtime) {
    const value = values[key];
    if (value === undefined || value === null) continue;
    env[envName(spec.prefix, key)] = Array.isArray(value) ? value.join('\n') : String(value);
  }
  return env;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** The first problem zod found, as `<where>.<field> <message>`. */
export function describeIssue(error: z.core.$ZodError, where: (path: PropertyKey[]) => string): string {
  const issue = error.issues[0]!;
  return `${where(issue.path)} ${issue.message.replace(/^Invalid input: /, '')}`;
}

/**
 * The runtime settings from the environment, read once at a Lambda's start: every variable
 * parsed and checked by the same schema as the deployment config, so a bad value fails naming
 * the variable; one that is not set takes the schema's default.
 */
export function settingsFromEnv<S extends z.ZodMiniObject>(spec: SettingsSpec<S>, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const shape = spec.schema.shape as Record<string, z.ZodMiniType>;
  const raw: Record<string, unknown> = {};
  for (const key of spec.runtime) {
    const text = env[envName(spec.prefix, key)];
    if (text === undefined || text === '') continue;
    const type = baseType(shape[key]!);
    if (type === 'number' || type === 'int') raw[key] = Number(text);
    else if (type === 'boolean') raw[key] = text === 'true' ? true : text === 'false' ? false : text;
    else if (type === 'array') raw[key] = text.split('\n').map((l) => l.trim()).filter(Boolean);
    else raw[key] = text;
  }
  const picked = z.pick(spec.schema, Object.fromEntries(spec.runtime.map((k) => [k, true])) as never);
  const parsed = picked.safeParse(raw);
  if (!parsed.success) {
    throw new SettingsError(describeIssue(parsed.error, (path) => `Environment variable ${envName(spec.prefix, String(path[0]))}`));
  }
  return parsed.data as z.infer<S>;
}

/** The value of a variable every function gets, failing with its name when it is missing. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new SettingsError(`Environment variable ${name} is not set`);
  return value;
}

// ── Validators shared by every vendor's schema ──────────────────────────────────────────────

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * An endpoint: https, or http on loopback only (the local sandboxes). Never credentials in the
 * URL: they would show wherever the URL is printed or logged; they belong in the secret.
 */
export const endpointUrl = () =>
  z.string().check(
    z.refine((v) => {
      try {
        const u = new URL(v.replace('{school}', 'school'));
        return !u.username && !u.password;
      } catch {
        return true;
      }
    }, 'must not hold credentials (user:password@): put them in the connection\'s secret'),
    z.refine((v) => {
      try {
        const u = new URL(v.replace('{school}', 'school'));
        return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.test(u.hostname));
      } catch {
        return false;
      }
    }, 'must be an https URL (http only on 127.0.0.1 or localhost)'),
  );

export const sftpUrl = () =>
  z.string().check(
    z.refine((v) => !/^sftp:\/\/[^/]*@/.test(v), "must not hold credentials (user@): the username and key or password belong in the connection's secret"),
    z.refine((v) => v === '' || /^sftp:\/\/[^\s/:@]+(:\d+)?\/?$/.test(v), 'must be sftp://host or sftp://host:port'),
  );

/** An OpenSSH public host key line: "ssh-ed25519 AAAA…". */
export const hostKey = () => z.string().check(z.regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/, 'must be a public host key like "ssh-ed25519 AAAA…"'));

export const intIn = (min: number, max: number) => z.int().check(z.gte(min, `must be an integer from ${min} to ${max}`), z.lte(max, `must be an integer from ${min} to ${max}`));

/** Hours a cron() hour field can fire at: numbers, lists, ranges, steps, or `*`. */
export function cronHours(field: string): Set<number> {
  const hours = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [0, 23];
    else if (range!.includes('-')) [from, to] = range!.split('-').map(Number) as [number, number];
    else {
      from = Number(range);
      to = stepText === undefined ? from : 23;
    }
    if (![from, to, step].every(Number.isInteger) || from < 0 || to > 23 || from > to || step < 1) throw new Error(`bad hour field '${field}'`);
    for (let h = from; h <= to; h += step) hours.add(h);
  }
  return hours;
}

/** Why an EventBridge Scheduler cron() is refused, or undefined: never inside 02:00–02:59 local, which daylight saving skips or repeats. */
export function scheduleProblem(expression: string): string | undefined {
  const match = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!match) return `must be a cron(minutes hours day-of-month month day-of-week year) expression, got '${expression}'`;
  let hours: Set<number>;
  try {
    hours = cronHours(match[2]!);
  } catch {
    return `has an hour field '${match[2]}' that is not 0-23, a list, a range or a step`;
  }
  if (hours.has(2)) return `'${expression}' fires between 02:00 and 02:59 local time, which daylight saving skips or repeats; pick another hour`;
  return undefined;
}

export const schedule = () =>
  z.string().check(
    z.superRefine((v, ctx) => {
      const problem = scheduleProblem(v);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: v });
    }),
  );

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A tuning knob of the kernel (EXPORT_RESERVE_MS, HTTP_TIMEOUT_MS…), not a vendor setting. */
export function envNumber(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new SettingsError(`Environment variable ${name} must be a non-negative number, got '${raw}'`);
  return value;
}

/**
 * What every function of a vendor reads at start: the data bucket, its secret's name, the
 * district's time zone, and the vendor's runtime settings, each failing with its variable's name.
 */
export function loadVendorEnv<S extends z.ZodMiniObject>(spec: SettingsSpec<S>, env: NodeJS.ProcessEnv = process.env) {
  return {
    bucket: requireEnv(COMMON_ENV.bucket, env),
    secretId: requireEnv(secretIdEnv(spec.prefix), env),
    timeZone: env[COMMON_ENV.timeZone] || 'UTC',
    ...settingsFromEnv(spec, env),
  };
}
