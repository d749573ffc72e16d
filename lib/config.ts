import { readFileSync } from 'node:fs';
import type { Connector } from '../lambdas/connector.js';
import { isTimeZone, schedule, scheduleProblem } from '../lambdas/settings.js';
import { z } from '../lambdas/zod.js';
import { VENDORS } from '../vendors/index.js';

/**
 * The deployment's one configuration file (README: "Deployment config"): a few settings of the
 * hub's own, and one section per vendor, checked by that vendor's settings schema — the same
 * schema its Lambdas read their environment with. A bad value stops synth naming the field.
 */
export interface DeployConfig {
  stackName: string;
  timeZone: string;
  /** When the daily connection checks run (cron(), local time). */
  doctorSchedule: string;
  heartbeatHours: number;
  /** 'kms': the hub's own customer-managed key; 'aws-managed': AWS's keys; or the ARN of a key of yours. */
  encryption: string;
  alarmEmail?: string;
  /** Each vendor's section, with its defaults filled in; `enabled` says whether it is deployed. */
  vendors: Record<string, Record<string, unknown> & { enabled: boolean }>;
}

export class DeployConfigError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field} ${problem}`);
    this.name = 'DeployConfigError';
  }
}

export const HUB_SETTINGS = {
  stackName: z._default(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,60}$/, "must be letters, digits and '-', starting with a letter")), 'SchoolEtlHub'),
  timeZone: z.string().check(z.refine(isTimeZone, 'must be an IANA time zone such as America/Chicago')),
  alarmEmail: z.optional(z.string().check(z.regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address'))),
  doctorSchedule: z._default(schedule(), 'cron(0 7 * * ? *)'),
  heartbeatHours: z._default(z.int().check(z.gte(2, 'must be an integer from 2 to 168'), z.lte(168, 'must be an integer from 2 to 168')), 26),
  encryption: z._default(
    z.string().check(z.regex(/^(kms|aws-managed|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+)$/, "must be 'kms', 'aws-managed' or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)")),
    'kms',
  ),
};

export const HUB_DOCS: Record<keyof typeof HUB_SETTINGS, string> = {
  stackName: 'the CloudFormation stack; secrets are named `<stackName>/<connection>`',
  timeZone: "the district's IANA time zone: schedules, epoch directory names, key expiry days",
  alarmEmail: 'optional: an address subscribed to the alarm topic',
  doctorSchedule: 'when the daily connection checks run, `cron()` in `timeZone`',
  heartbeatHours: 'a scheduled pipeline with no succeeded execution in this many hours alarms (a nightly run that never started or never finished)',
  encryption: "what encrypts the data bucket, the logs, the secrets, the queue, the state table and the alarm topic: `kms` (the hub's own customer-managed key), `aws-managed` (AWS's keys; the alarm topic keeps the hub's key) or the ARN of a key of yours (see [Encryption](#encryption))",
};

export const deployConfigSchema = (vendors: Connector[] = VENDORS) =>
  z.strictObject({
    ...HUB_SETTINGS,
    ...Object.fromEntries(vendors.map((v) => [v.name, z.prefault(v.settings.schema, {})])),
  });

/**
 * A zod issue as the config's own words: the field's dotted path, the problem, and the value
 * given when the message does not already quote it.
 */
export function issueText(issue: z.core.$ZodIssue, known: (path: PropertyKey[]) => string[]): { field: string; problem: string } {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return { field: [...path, key].join('.'), problem: `is not a known setting (known: ${known(issue.path).join(', ')})` };
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  const input = (issue as { input?: unknown }).input;
  const quoted = typeof input === 'string' && (message.includes(`'${input}'`) || message.includes(JSON.stringify(input)));
  return { field: path.join('.') || '(file)', problem: input === undefined || quoted ? message : `${message}, got ${JSON.stringify(input)}` };
}

export function parseDeployConfig(text: string, file: string, vendors: Connector[] = VENDORS): DeployConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DeployConfigError(file, '(file)', `is not valid JSON: ${(error as Error).message}`);
  }
  const schema = deployConfigSchema(vendors);
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const { field, problem } = issueText(parsed.error.issues[0]!, (path) => {
      const section = path.length === 0 ? schema : vendors.find((v) => v.name === path[0])?.settings.schema;
      return Object.keys((section as z.ZodMiniObject | undefined)?.shape ?? {});
    });
    throw new DeployConfigError(file, field, problem);
  }
  for (const v of vendors) {
    const problem = v.settings.check?.((parsed.data as unknown as Record<string, Record<string, unknown>>)[v.name]!);
    if (problem) throw new DeployConfigError(file, `${v.name}.${problem.field}`, problem.problem);
  }
  const { stackName, timeZone, doctorSchedule, heartbeatHours, encryption, alarmEmail, ...sections } = parsed.data as Record<string, unknown> & z.infer<z.ZodMiniObject<typeof HUB_SETTINGS>>;
  return {
    stackName,
    timeZone,
    doctorSchedule,
    heartbeatHours,
    encryption,
    ...(alarmEmail ? { alarmEmail } : {}),
    vendors: sections as DeployConfig['vendors'],
  };
}

export function loadDeployConfig(file: string, vendors: Connector[] = VENDORS): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf-8');
  } catch {
    throw new DeployConfigError(file, '(file)', 'cannot be read');
  }
  return parseDeployConfig(text, file, vendors);
}

/** A schedule's check, on its own (the README's rule: never inside 02:00–02:59 local). */
export function checkSchedule(file: string, field: string, expression: string): void {
  const problem = scheduleProblem(expression);
  if (problem) throw new DeployConfigError(file, field, problem);
}

export { cronHours } from '../lambdas/settings.js';
