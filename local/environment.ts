import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connector, StartedVendor } from '../lambdas/connector.js';
import { COMMON_ENV, envName, secretIdEnv } from '../lambdas/settings.js';
import { VENDORS } from '../vendors/index.js';
import { ConfigError, emptyConfig, localVendors, type LocalConfig } from './config.js';
import { startLocalDynamoDb } from './dynamodb.js';
import { startLocalS3, type LocalS3 } from './s3.js';
import { LocalSecretsManager } from './secrets-manager.js';
import { LocalTransfer } from './transfer.js';

export const LOCAL_BUCKET = 'etl-hub-local-data';
export const LOCAL_TIME_ZONE = 'America/Chicago';
export const LOCAL_STATE_TABLE = 'etl-hub-local-state';

/** A vendor's secret in the local Secrets Manager: etl-hub/<name>, as <stackName>/<name> in AWS. */
export const localSecretId = (vendor: Pick<Connector, 'secret'>): string => `etl-hub/${vendor.secret.name}`;
export const secretIdOf = (name: string, vendors: Connector[] = VENDORS): string => localSecretId(vendors.find((v) => v.name === name)!);

export interface LocalOptions {
  /** The local config file, parsed; without it every vendor's sandbox with its fake credentials. */
  config?: LocalConfig;
  /** Options per vendor for its sandbox (tests, the demo, benchmarks). */
  sandboxes?: Record<string, Record<string, unknown>>;
  /** Keep S3's files here (the demo) instead of a temporary folder. */
  dataDir?: string;
  /** Each sandbox on its usual port when free (`etl sandbox`). */
  usualPorts?: boolean;
  vendors?: Connector[];
}

export interface LocalEnvironment {
  bucket: string;
  s3Endpoint: string;
  secrets: LocalSecretsManager;
  transfer: LocalTransfer;
  vendors: Record<string, StartedVendor>;
  /** A vendor's sandbox handle, typed by the caller. */
  handle<H>(vendor: string): H;
  stop(): Promise<void>;
}

/**
 * The local runtime sets every vendor setting's variable from the config file, so a variable of
 * one that the user set would be replaced without a word: it is refused instead, saying where
 * its value goes.
 */
function refuseSettingsFromEnvironment(connectors: Connector[]): void {
  const found: string[] = [];
  for (const c of connectors) {
    for (const key of c.settings.runtime) {
      const name = envName(c.settings.prefix, key);
      if (process.env[name] !== undefined) found.push(`${name} (${c.name}.${key})`);
    }
  }
  if (found.length === 0) return;
  throw new ConfigError(
    'your environment',
    found.join(', '),
    `${found.length === 1 ? 'is' : 'are'} set, and the local runtime takes vendor settings from its config file only (it would replace ${found.length === 1 ? 'it' : 'them'}): ` +
      'put the value in a config file for --config (README "Local config file"), and unset the variable',
  );
}

/** The usual sandbox ports of `etl sandbox`: 4010, 4020, … in the vendor list's order. */
const usualPort = (index: number) => 4010 + 10 * index;

/**
 * Starts what stands in for AWS and the vendors: S3 (s3rver, unless AWS_ENDPOINT_URL_S3 names
 * another), a Secrets Manager and a Transfer Family endpoint, then each vendor's sandbox (or
 * the server its config section names). Then points the SDK and the handlers at them through
 * the same environment variables the Lambdas read in AWS.
 */
export async function startLocalEnvironment(options: LocalOptions = {}): Promise<LocalEnvironment> {
  const vendors = await localVendors(options.vendors ?? VENDORS);
  refuseSettingsFromEnvironment(vendors.map((v) => v.connector));
  const config = options.config ?? emptyConfig(vendors);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  try {
    let s3: LocalS3 | undefined;
    let s3Endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? '';
    if (!s3Endpoint) {
      const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'etl-s3-'));
      mkdirSync(dir, { recursive: true });
      s3 = await startLocalS3(dir);
      s3Endpoint = s3.endpoint;
      stops.push(async () => {
        await s3!.stop();
        if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
      });
    }
    const secrets = new LocalSecretsManager();
    await secrets.start();
    stops.push(() => secrets.stop());
    const transfer = new LocalTransfer();
    await transfer.start();
    stops.push(() => transfer.stop());
    const dynamo = await startLocalDynamoDb();
    stops.push(() => dynamo.stop());

    const settings: Record<string, string> = {
      // Metrics are CloudWatch's business; locally their JSON lines would only clutter stdout.
      ETL_LOCAL_RUNTIME: '1',
      // No X-Ray daemon here: the handlers' Powertools Tracer stays off.
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_TRANSFER: transfer.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      [COMMON_ENV.stateTable]: LOCAL_STATE_TABLE,
      // Without these the SDK's stream uploads reach s3rver with their chunk framing stored in the object.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
      [COMMON_ENV.bucket]: LOCAL_BUCKET,
      [COMMON_ENV.timeZone]: process.env[COMMON_ENV.timeZone] ?? LOCAL_TIME_ZONE,
      // Shortened waits: the local runtime is for seeing the whole flow in seconds.
      EXPORT_RESERVE_MS: process.env.EXPORT_RESERVE_MS ?? '5000',
      HTTP_RETRY_BASE_MS: process.env.HTTP_RETRY_BASE_MS ?? '20',
      HTTP_RETRY_MAX_MS: process.env.HTTP_RETRY_MAX_MS ?? '200',
      HTTP_MAX_RETRY_AFTER_MS: process.env.HTTP_MAX_RETRY_AFTER_MS ?? '100',
      HTTP_TIMEOUT_MS: process.env.HTTP_TIMEOUT_MS ?? '10000',
    };
    // Put back what was there before, so a later environment in this process starts clean.
    const previous = new Map<string, string | undefined>();
    const apply = (values: Record<string, string>) => {
      for (const [k, v] of Object.entries(values)) {
        if (!previous.has(k)) previous.set(k, process.env[k]);
        process.env[k] = v;
      }
    };
    stops.unshift(async () => {
      for (const [k, v] of previous) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    apply(settings);

    const { DynamoDBClient, CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    const ddb = new DynamoDBClient({});
    await ddb.send(
      new CreateTableCommand({
        TableName: LOCAL_STATE_TABLE,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    ddb.destroy();
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: LOCAL_BUCKET })).catch((error: { name?: string }) => {
      if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
    });
    client.destroy();

    const started: Record<string, StartedVendor> = {};
    for (const [index, { connector, local }] of vendors.entries()) {
      const secretId = localSecretId(connector);
      const startAt = (port: number) =>
        local.start({ config: config[connector.name] ?? { settings: {}, secret: {} }, port, bucket: LOCAL_BUCKET, secretId, sandbox: options.sandboxes?.[connector.name], transfer });
      // The usual port when free, any free port otherwise.
      const vendor = options.usualPorts ? await startAt(usualPort(index)).catch(() => startAt(0)) : await startAt(0);
      stops.push(() => vendor.stop());
      started[connector.name] = vendor;
      secrets.set(secretId, vendor.secret);
      apply({ ...vendor.env, [secretIdEnv(connector.settings.prefix)]: secretId });
    }

    return {
      bucket: LOCAL_BUCKET,
      s3Endpoint,
      secrets,
      transfer,
      vendors: started,
      handle: <H>(name: string) => started[name]!.handle as H,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
