import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/**
 * What `cdk synth` ships, read back from the cloud assembly: every Node.js function with its
 * bundle, handler, memory, timeout and environment exactly as the template gives them, and for
 * each state machine which function serves which `${…FunctionArn}` placeholder.
 */
export interface BundledFunction {
  logicalId: string;
  /** The bundle file the runtime imports, e.g. cdk.out/asset.<hash>/index.mjs. */
  file: string;
  handler: string;
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Template values: strings, or intrinsic functions (Ref, Fn::GetAtt…) that only AWS resolves. */
  environment: Record<string, unknown>;
  bytes: number;
}

export interface Assembly {
  dir: string;
  stackName: string;
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }> };
  functions: BundledFunction[];
  /** pipeline name → ASL placeholder (without `${}`) → function. */
  pipelines: Record<string, Record<string, BundledFunction>>;
}

/** The config `etl local --bundled` and the artifact tests synthesize: every pipeline enabled. */
export const EVERY_PIPELINE_CONFIG = join(ROOT, 'config', 'every-pipeline.json');

export function readAssembly(dir: string): Assembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf-8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const [stackName, stack] = Object.entries(manifest.artifacts).find(([, a]) => a.type === 'aws:cloudformation:stack') ?? [];
  if (!stackName || !stack?.properties?.templateFile) throw new Error(`${dir} holds no stack template: run cdk synth first`);
  const template = JSON.parse(readFileSync(join(dir, stack.properties.templateFile), 'utf-8')) as Assembly['template'];

  const byId = new Map<string, BundledFunction>();
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function' || !String(r.Properties?.Runtime).startsWith('nodejs')) continue;
    // The code's S3 key is the asset's hash; the assembly holds it as asset.<hash>/.
    const key = String(r.Properties?.Code?.S3Key ?? '');
    const asset = (r.Metadata?.['aws:asset:path'] as string | undefined) ?? (key.endsWith('.zip') ? `asset.${key.slice(0, -4)}` : undefined);
    if (!asset) continue;
    const [module, handler] = String(r.Properties!.Handler).split('.') as [string, string];
    const file = ['.mjs', '.js', '.cjs'].map((ext) => join(dir, asset, `${module}${ext}`)).find(existsSync);
    if (!file) throw new Error(`${logicalId}: no ${module}.mjs in ${join(dir, asset)}`);
    byId.set(logicalId, {
      logicalId,
      file,
      handler,
      runtime: r.Properties!.Runtime,
      timeoutSeconds: r.Properties!.Timeout ?? 3,
      memoryMb: r.Properties!.MemorySize ?? 128,
      environment: r.Properties!.Environment?.Variables ?? {},
      bytes: readFileSync(file).length,
    });
  }

  const pipelines: Assembly['pipelines'] = {};
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const name = String(r.Properties!.StateMachineName).slice(stackName.length + 1);
    const map: Record<string, BundledFunction> = {};
    for (const [placeholder, value] of Object.entries(r.Properties!.DefinitionSubstitutions ?? {})) {
      const id = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
      const fn = id ? byId.get(id) : undefined;
      if (fn) map[placeholder] = fn;
    }
    pipelines[name] = map;
  }
  return { dir, stackName, template, functions: [...byId.values()], pipelines };
}

/**
 * Synthesizes the CDK app into `outdir` with the given deployment config, in this process, as
 * `cdk synth` does (bundling every function with the local esbuild), and reads it back.
 */
export async function synthesize(outdir: string, configFile = EVERY_PIPELINE_CONFIG): Promise<Assembly> {
  const { App } = await import('aws-cdk-lib');
  const { loadDeployConfig } = await import('../lib/config.js');
  const { EtlHubStack, loadVendorInfra } = await import('../lib/etl-hub-stack.js');
  const app = new App({ outdir });
  const config = loadDeployConfig(configFile);
  new EtlHubStack(app, config.stackName, { config, infra: await loadVendorInfra() });
  app.synth();
  return readAssembly(outdir);
}

/** A template value, with what only AWS resolves (a Ref, a GetAtt) replaced by a readable placeholder. */
export function placeholderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (typeof v?.Ref === 'string') return `placeholder-${v.Ref.toLowerCase()}`;
  const att = v?.['Fn::GetAtt'] as string[] | undefined;
  if (att) return `placeholder-${att.join('-').toLowerCase()}`;
  return `placeholder-${JSON.stringify(value).replace(/[^A-Za-z0-9]+/g, '-').toLowerCase().slice(0, 40)}`;
}

/**
 * Variables the local runtime sets beyond a function's own: the runtime's (region, credentials,
 * time zone), the SDK's endpoints for the local stand-ins, and the knobs that shorten waits.
 */
export const LOCAL_RUNTIME_VARIABLE = /^(AWS_REGION|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_ENDPOINT_URL_[A-Z0-9_]+|AWS_REQUEST_CHECKSUM_CALCULATION|AWS_RESPONSE_CHECKSUM_VALIDATION|HTTP_[A-Z_]+|EXPORT_RESERVE_MS|ETL_LOCAL_RUNTIME|LOG_LEVEL|POWERTOOLS_[A-Z_]+)$/;

/**
 * The environment a bundle gets locally: its template's variables, each taking the local
 * environment's value where the local runtime sets one (the local bucket, the local secret
 * names, the sandboxes' URLs) and the template's value otherwise, plus the local runtime's own.
 * A variable the template lacks stays missing, as it would in AWS.
 */
export function localEnvironment(fn: BundledFunction, local: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = { TZ: 'UTC', AWS_LAMBDA_FUNCTION_NAME: fn.logicalId, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb), PATH: process.env.PATH ?? '' };
  for (const [k, v] of Object.entries(local)) if (v !== undefined && LOCAL_RUNTIME_VARIABLE.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(fn.environment)) env[k] = local[k] ?? placeholderValue(v);
  return env;
}
