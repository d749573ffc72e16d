import type { SettingsSpec } from './settings.js';
import { z as zod, type z } from './zod.js';

/**
 * What a vendor is to the rest of the hub. Each vendor folder exports one Connector from its
 * connector.ts; the composition roots (the CDK stack, the CLI and its local environment, the
 * doctor, the benchmarks) loop over the list in vendors/index.ts and know nothing else of it.
 *
 * A connector.ts imports only what a Lambda may carry (settings, secret shape, the doctor's
 * check, the run reports); what only a laptop or a synth needs (sandboxes, demo steps, extra
 * CDK resources) is named by module URL and imported by the composition root that needs it.
 */
export interface Connector {
  /** The connection: `etl doctor` lines, the secret `<stackName>/<secret.name>`, the config section. */
  name: string;
  title: string;
  settings: SettingsSpec;
  secret: SecretSpec;
  pipelines: PipelineSpec[];
  doctor: DoctorCheck;
  /** How the CLI shows a run of each pipeline: progress lines from the events, a summary of the output. */
  reports: Record<string, PipelineReport>;
  /** A module (see VendorLocal) with the sandbox and the demo steps. */
  local: URL;
  /** A module (see VendorInfra) adding CDK resources only this vendor needs. */
  infra?: URL;
}

export interface SecretSpec {
  /** The secret is `<stackName>/<name>`. */
  name: string;
  /** The secret's JSON, checked by the doctor and when the operator sets it. */
  shape: z.ZodMiniType<Record<string, unknown>>;
  /** Keys that identify rather than authenticate (a school code): logs may show them. */
  publicKeys: string[];
  /** The keys, for `etl secrets set` to ask for: required ones, one of `oneOf`, then optional ones. */
  keys: { required: string[]; oneOf: string[]; optional: string[] };
  /** Shown in the Secrets Manager console: what to put in. */
  description: string;
  /** Why AWS does not rotate it, and where it is rotated instead (the cdk-nag acknowledgement). */
  rotation: string;
}

export interface FunctionAccess {
  secret?: boolean;
  /** Leases in the state table (single-flight). */
  state?: boolean;
  transfer?: boolean;
  readData?: string[];
  writeData?: string[];
  deleteData?: string[];
}

export interface FunctionSpec {
  /** The ASL placeholder is `${<id>FunctionArn}`. */
  id: string;
  /** The handler module, from the project root; it exports `handler`. */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  access: FunctionAccess;
}

export interface PipelineSpec {
  name: string;
  /** The state machine file, from the project root; deployed and run locally unchanged. */
  asl: string;
  functions: FunctionSpec[];
  /** A `<outbox><batch>/_READY` object starts a run for that batch. */
  readyTrigger?: { outbox: string };
  /** Scheduled runs: the setting holding the cron() (null: none), the execution-name prefix, the input. */
  schedule?: { setting: string; namePrefix: string; input: Record<string, unknown> };
}

export const substitutionOf = (fn: FunctionSpec): string => `${fn.id}FunctionArn`;

// ── The doctor ───────────────────────────────────────────────────────────────────────────────

export type Verdict = 'ok' | 'warning' | 'failure';

export interface CheckLine {
  connection: string;
  check: string;
  verdict: Verdict;
  detail: string;
}

/**
 * After the doctor has read the secret and found it well-formed: the vendor's own checks
 * (authentication, expiry…), one line each, the fix to try in the vendor's words.
 */
export type DoctorCheck = (settings: Record<string, unknown>, secret: Record<string, string>, context: { secretId: string; now: number; timeZone: string }) => Promise<CheckLine[]>;

// ── Runs, as the CLI and the demo show them ──────────────────────────────────────────────────

/** The parts of an execution's event log that progress reporting reads. */
export interface LocalEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type?: string; input: unknown; output?: unknown };
  index?: number;
  Error?: string;
  Cause?: unknown;
}

export interface PipelineReport {
  progress: (write: (line: string) => void) => (event: LocalEvent) => void;
  summary: (output: unknown) => string;
}

// ── What a laptop needs (the module `local` names) ───────────────────────────────────────────

/** A vendor's sandbox (or the real endpoint the local config names), started for a local run. */
export interface StartedVendor<Handle = unknown> {
  /** The runtime settings' environment for the local run (sandbox URLs and the like). */
  env: Record<string, string>;
  /** The secret value the local Secrets Manager serves. */
  secret: Record<string, string>;
  /** For tests and the demo: the sandbox's handle. */
  handle: Handle;
  /** One line per endpoint, for `etl sandbox` and the CLI's banner. */
  describe: string[];
  stop(): Promise<void>;
}

export interface LocalStartContext {
  /** The local config file's section for this vendor, already checked: the settings and the secret's values it gives. */
  config: { settings: Record<string, unknown>; secret: Record<string, string> };
  /** The sandbox's usual port (`etl sandbox`), or 0 for any free one. */
  port: number;
  bucket: string;
  /** The secret's name in the local Secrets Manager. */
  secretId: string;
  /** Options tests, the demo and the benchmarks pass to the sandbox. */
  sandbox?: Record<string, unknown>;
  /** The local AWS Transfer Family endpoint, for a vendor delivered through a connector. */
  transfer: { addConnector(connector: { connectorId: string; url: string; secretId: string; trustedHostKeys: string[] }): void };
}

export interface DemoContext {
  today: string;
  now: number;
  putBatch(vendorPrefix: string, batch: string, files: Record<string, string>): Promise<void>;
  setSecret(value: Record<string, string>): void;
}

export interface DemoStep {
  title: string;
  pipeline: string;
  input: unknown;
  expect: 'SUCCEEDED' | 'FAILED';
  before?: () => Promise<void>;
}

export interface VendorLocal<Handle = unknown> {
  /** Fields the local config file takes for this vendor beyond its settings: the secret's values. */
  configFields: Record<string, string>;
  start(context: LocalStartContext): Promise<StartedVendor<Handle>>;
  /** Sandbox options for the demo (faults, data sizes). */
  demoSandbox?(now: number): Record<string, unknown>;
  demo?(context: DemoContext): DemoStep[];
  /** `etl demo`'s closing lines: what the vendor's side now holds. */
  demoReport?(handle: Handle): string[];
}

// ── What a synth needs beyond the generic resources (the module `infra` names) ───────────────

export interface VendorInfraContext {
  bucket: import('aws-cdk-lib/aws-s3').IBucket;
  secret: import('aws-cdk-lib/aws-secretsmanager').ISecret;
  settings: Record<string, unknown>;
  /** Least-privilege access to prefixes of the data bucket (ListBucket only under them), with the bucket key's use if it has one. */
  grantData(grantee: import('aws-cdk-lib/aws-iam').IGrantable & import('constructs').Construct, access: DataAccess, extraBucketActions?: string[]): void;
}

/** Key patterns of the data bucket (`campusgroups/*`) a role may read (and list under), write and delete. */
export interface DataAccess {
  read?: string[];
  write?: string[];
  delete?: string[];
}

export interface VendorInfra {
  /** Adds the vendor's own resources; what it returns reaches its functions' environment and grants. */
  deploy(scope: import('constructs').Construct, context: VendorInfraContext): { environment: Record<string, string>; transferConnectorArn?: string };
}

/** A connection's secret from its keys: required strings, optional ones, one of a set (a key or a password). */
export function jsonSecret(spec: {
  name: string;
  required: string[];
  optional?: Record<string, RegExp | undefined>;
  oneOf?: string[];
  publicKeys?: string[];
  description: string;
  rotation: string;
}): SecretSpec {
  const shape: Record<string, z.ZodMiniType> = {};
  for (const key of spec.required) shape[key] = zod.string().check(zod.minLength(1));
  for (const [key, format] of Object.entries(spec.optional ?? {})) shape[key] = zod.optional(format ? zod.string().check(zod.regex(format, `must match ${format}`)) : zod.string());
  for (const key of spec.oneOf ?? []) shape[key] = zod.optional(zod.string());
  const oneOf = spec.oneOf ?? [];
  const object = zod.looseObject(shape);
  return {
    name: spec.name,
    shape: (oneOf.length === 0
      ? object
      : object.check(zod.refine((v: Record<string, unknown>) => oneOf.some((k) => Boolean(v[k])), { message: `needs ${oneOf.join(' or ')}`, path: [oneOf[0]!] }))) as SecretSpec['shape'],
    publicKeys: spec.publicKeys ?? [],
    keys: { required: spec.required, oneOf, optional: Object.keys(spec.optional ?? {}) },
    description: spec.description,
    rotation: spec.rotation,
  };
}
