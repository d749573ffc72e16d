import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampusGroupsSandbox, type CampusGroupsSandboxOptions } from '../vendors/campusgroups/sandbox/server.js';
import { templatesZip } from '../vendors/watermark/sandbox/templates.js';
import { WATERMARK_AUDIENCE, WatermarkSandbox, type WatermarkSandboxOptions } from '../vendors/watermark/sandbox/server.js';
import { refreshRegistry } from '../vendors/watermark/registry-refresh.js';
import { SFTP_SANDBOX_PASSWORD, SFTP_SANDBOX_USER, SftpSandbox } from '../vendors/samegoal/sandbox/sftp-server.js';
import { LocalTransfer } from './transfer.js';
import { GC_SANDBOX_KEY, GoContractorSandbox } from '../vendors/gocontractor/sandbox/server.js';
import { LocalSecretsManager } from './secrets-manager.js';
import { startLocalS3, type LocalS3 } from './s3.js';

export const LOCAL_BUCKET = 'etl-hub-local-data';
export const CAMPUSGROUPS_SECRET_ID = 'etl-hub/campusgroups';
export const WATERMARK_SECRET_ID = 'etl-hub/watermark';
export const SAMEGOAL_SECRET_ID = 'etl-hub/samegoal-sftp';
export const LOCAL_CONNECTOR_ID = 'c-0123456789abcdef0';
export const GOCONTRACTOR_SECRET_ID = 'etl-hub/gocontractor';

/** Where the local runtime points each connection; a config file can aim it at any compatible server. */
export interface LocalConnections {
  campusgroups: { baseUrl?: string; schoolCode: string; apiSecret: string; sandbox?: Partial<CampusGroupsSandboxOptions> };
  /** A real SFTP server instead of the in-process sandbox (the OpenSSH integration lane). */
  samegoal?: { url: string; trustedHostKeys: string[]; username: string; privateKey?: string; password?: string; uploadDir?: string };
  watermark: {
    apiBaseUrl?: string;
    tokenUrl?: string;
    audience?: string;
    clientId: string;
    clientSecret: string;
    sandbox?: Partial<WatermarkSandboxOptions>;
  };
}

export interface LocalEnvironment {
  bucket: string;
  s3Endpoint: string;
  secrets: LocalSecretsManager;
  campusgroups: { baseUrl: string; sandbox?: CampusGroupsSandbox };
  watermark: { apiBaseUrl: string; tokenUrl: string; sandbox?: WatermarkSandbox };
  samegoal: { sftp?: SftpSandbox; transfer: LocalTransfer; root?: string; url: string };
  gocontractor: { sandbox: GoContractorSandbox };
  stop(): Promise<void>;
}

/**
 * Starts what stands in for AWS and the vendors: S3 (s3rver, unless AWS_ENDPOINT_URL_S3 names
 * another), a Secrets Manager endpoint holding the connection's secret, and the vendor
 * sandbox unless the config names a base URL. Then points the SDK and the handlers at them
 * through the same environment variables the Lambdas read in AWS.
 */
export async function startLocalEnvironment(connections: LocalConnections, options: { dataDir?: string } = {}): Promise<LocalEnvironment> {
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
    const cg = connections.campusgroups;
    secrets.set(CAMPUSGROUPS_SECRET_ID, { schoolCode: cg.schoolCode, apiSecret: cg.apiSecret });

    let sandbox: CampusGroupsSandbox | undefined;
    let baseUrl = cg.baseUrl;
    if (!baseUrl) {
      sandbox = new CampusGroupsSandbox({ school: cg.schoolCode, apiSecret: cg.apiSecret, ...cg.sandbox });
      baseUrl = await sandbox.start();
      stops.push(() => sandbox!.stop());
    }

    const wm = connections.watermark;
    secrets.set(WATERMARK_SECRET_ID, { clientId: wm.clientId, clientSecret: wm.clientSecret });
    let watermarkSandbox: WatermarkSandbox | undefined;
    let apiBaseUrl = wm.apiBaseUrl;
    let tokenUrl = wm.tokenUrl;
    if (!apiBaseUrl) {
      watermarkSandbox = new WatermarkSandbox({ clientId: wm.clientId, clientSecret: wm.clientSecret, ...wm.sandbox });
      apiBaseUrl = await watermarkSandbox.start();
      tokenUrl ??= watermarkSandbox.tokenUrl;
      stops.push(() => watermarkSandbox!.stop());
    }
    if (!tokenUrl) throw new Error('watermark.tokenUrl is needed when watermark.apiBaseUrl is set');

    // SameGoal: an SFTP server over a folder (or the one configured), and a local Transfer
    // endpoint whose connector logs in with the same secret.
    let sftp: SftpSandbox | undefined;
    let sftpRoot: string | undefined;
    let sftpUrl: string;
    let hostKeys: string[];
    const sg = connections.samegoal;
    if (sg) {
      sftpUrl = sg.url;
      hostKeys = sg.trustedHostKeys;
      secrets.set(SAMEGOAL_SECRET_ID, { Username: sg.username, ...(sg.privateKey ? { PrivateKey: sg.privateKey } : { Password: sg.password }) });
    } else {
      sftpRoot = mkdtempSync(join(tmpdir(), 'samegoal-sftp-'));
      const root = sftpRoot;
      sftp = new SftpSandbox({ root });
      sftpUrl = await sftp.start();
      hostKeys = [sftp.hostPublicKey];
      const server = sftp;
      stops.push(async () => {
        await server.stop();
        rmSync(root, { recursive: true, force: true });
      });
      secrets.set(SAMEGOAL_SECRET_ID, { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD });
    }
    const transfer = new LocalTransfer();
    transfer.addConnector({ connectorId: LOCAL_CONNECTOR_ID, url: sftpUrl, secretId: SAMEGOAL_SECRET_ID, trustedHostKeys: hostKeys });
    await transfer.start();
    stops.push(() => transfer.stop());

    const gocontractor = new GoContractorSandbox();
    await gocontractor.start();
    stops.push(() => gocontractor.stop());
    secrets.set(GOCONTRACTOR_SECRET_ID, { apiKey: GC_SANDBOX_KEY });

    const settings: Record<string, string> = {
      // Metrics are CloudWatch's business; locally their JSON lines would only clutter stdout.
      ETL_LOCAL_RUNTIME: '1',
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      // Without these the SDK's stream uploads reach s3rver with their chunk framing stored in the object.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
      DATA_BUCKET: LOCAL_BUCKET,
      CAMPUSGROUPS_SECRET_ID,
      CAMPUSGROUPS_BASE_URL: baseUrl,
      CAMPUSGROUPS_RESERVE_MS: process.env.CAMPUSGROUPS_RESERVE_MS ?? '5000',
      WATERMARK_SECRET_ID,
      WATERMARK_API_BASE_URL: apiBaseUrl,
      WATERMARK_TOKEN_URL: tokenUrl,
      WATERMARK_AUDIENCE: wm.audience ?? WATERMARK_AUDIENCE,
      AWS_ENDPOINT_URL_TRANSFER: transfer.endpoint,
      SAMEGOAL_SECRET_ID,
      SAMEGOAL_SFTP_URL: sftpUrl,
      SAMEGOAL_TRUSTED_HOST_KEYS: hostKeys.join('\n'),
      SAMEGOAL_UPLOAD_DIR: sg?.uploadDir ?? '/upload',
      GOCONTRACTOR_SECRET_ID,
      GOCONTRACTOR_BASE_URL: gocontractor.url,
      GOCONTRACTOR_PAGE_SIZE: process.env.GOCONTRACTOR_PAGE_SIZE ?? '50',
      GOCONTRACTOR_RESERVE_MS: process.env.GOCONTRACTOR_RESERVE_MS ?? '5000',
      SAMEGOAL_CONNECTOR_ID: LOCAL_CONNECTOR_ID,
      SAMEGOAL_TRANSPORT: process.env.SAMEGOAL_TRANSPORT ?? 'connector',
      SAMEGOAL_TIME_ZONE: process.env.SAMEGOAL_TIME_ZONE ?? 'America/Chicago',
      // Shortened waits: the local runtime is for seeing the whole flow in seconds.
      HTTP_RETRY_BASE_MS: process.env.HTTP_RETRY_BASE_MS ?? '20',
      HTTP_RETRY_MAX_MS: process.env.HTTP_RETRY_MAX_MS ?? '200',
      HTTP_MAX_RETRY_AFTER_MS: process.env.HTTP_MAX_RETRY_AFTER_MS ?? '100',
      HTTP_TIMEOUT_MS: process.env.HTTP_TIMEOUT_MS ?? '10000',
    };
    // Put back what was there before, so a later environment in this process starts clean.
    const previous = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
    stops.unshift(async () => {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    Object.assign(process.env, settings);

    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: LOCAL_BUCKET })).catch((error: { name?: string }) => {
      if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
    });
    if (watermarkSandbox) {
      // What an operator does with Watermark's All_CSVs_SysAdmin.zip, done with the sandbox's templates.
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const { registry } = await refreshRegistry(await templatesZip(), 'the Watermark sandbox templates');
      await client.send(new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: 'state/watermark/registry.json', Body: JSON.stringify(registry, null, 2) }));
    }
    client.destroy();

    return {
      bucket: LOCAL_BUCKET,
      s3Endpoint,
      secrets,
      campusgroups: { baseUrl, sandbox },
      watermark: { apiBaseUrl, tokenUrl, sandbox: watermarkSandbox },
      samegoal: { sftp, transfer, root: sftpRoot, url: sftpUrl },
      gocontractor: { sandbox: gocontractor },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
