import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { VendorLocal } from '../../lambdas/connector.js';
import { settingsToEnv } from '../../lambdas/settings.js';
import { REGISTRY_KEY } from './batch.js';
import { refreshRegistry } from './registry-refresh.js';
import { sampleBatch } from './sandbox/sample-batch.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, WatermarkSandbox, type WatermarkSandboxOptions } from './sandbox/server.js';
import { templatesZip } from './sandbox/templates.js';
import { settings } from './settings.js';

export interface WatermarkHandle {
  apiBaseUrl: string;
  tokenUrl: string;
  sandbox?: WatermarkSandbox;
}

/** Locally: the sandbox (token endpoint and Bulk Import API), unless the local config names a server. */
export const local: VendorLocal<WatermarkHandle> = {
  configFields: {
    clientId: "put in the local Watermark secret (default: the sandbox's fake one)",
    clientSecret: "put in the local Watermark secret (default: the sandbox's fake one)",
  },
  async start({ config, port, sandbox, bucket }) {
    const secret = { clientId: config.secret.clientId ?? SANDBOX_CLIENT_ID, clientSecret: config.secret.clientSecret ?? SANDBOX_CLIENT_SECRET };
    let apiBaseUrl = config.settings.apiBaseUrl as string | undefined;
    let tokenUrl = config.settings.tokenUrl as string | undefined;
    let server: WatermarkSandbox | undefined;
    if (!apiBaseUrl) {
      server = new WatermarkSandbox({ ...secret, port, ...(sandbox as Partial<WatermarkSandboxOptions>) });
      apiBaseUrl = await server.start();
      tokenUrl ??= server.tokenUrl;
      // What an operator does with Watermark's All_CSVs_SysAdmin.zip, done with the sandbox's templates.
      const { registry } = await refreshRegistry(await templatesZip(), 'the Watermark sandbox templates');
      const s3 = new S3Client({ forcePathStyle: true });
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: REGISTRY_KEY, Body: JSON.stringify(registry, null, 2) }));
      s3.destroy();
    }
    if (!tokenUrl) throw new Error('watermark.tokenUrl is needed when watermark.apiBaseUrl is set');
    const effective = settings.schema.parse({ ...config.settings, apiBaseUrl, tokenUrl });
    const fake = secret.clientSecret === SANDBOX_CLIENT_SECRET ? SANDBOX_CLIENT_SECRET : '<clientSecret from the config file>';
    return {
      env: settingsToEnv(settings, effective),
      secret,
      handle: { apiBaseUrl, tokenUrl, sandbox: server },
      describe: server
        ? [
            `Watermark sandbox: ${apiBaseUrl}`,
            `  try: curl -s ${tokenUrl} -d grant_type=client_credentials -d client_id=${secret.clientId} -d client_secret=${fake} -d audience=${effective.audience}`,
            `  then: curl -s -H 'Authorization: Bearer <access_token>' -F filename=@batch.zip ${apiBaseUrl}/v1/import/data`,
          ]
        : [`Watermark: ${apiBaseUrl}, tokens from ${tokenUrl} (from the config file)`],
      stop: async () => server?.stop(),
    };
  },
  demoSandbox: () => ({ pollsBeforeDone: 3 }),
  demo: ({ today, putBatch }) => {
    const good = sampleBatch(2000);
    return [
      {
        title: `watermark-import: tonight's SIS extract (8 CSVs, 2,000 people) dropped in watermark/outbox/${today}/`,
        pipeline: 'watermark-import',
        input: { batch: today },
        expect: 'SUCCEEDED',
        before: () => putBatch('watermark', today, good),
      },
      { title: 'watermark-import: the same batch again (a duplicate trigger): nothing is sent twice', pipeline: 'watermark-import', input: { batch: today }, expect: 'SUCCEEDED' },
      {
        title: 'watermark-import: a batch with a misspelled column and a broken quote, refused before anything is sent',
        pipeline: 'watermark-import',
        input: { batch: `${today}-broken` },
        expect: 'FAILED',
        before: () =>
          putBatch('watermark', `${today}-broken`, {
            'person.csv': good['person.csv']!.replace('first_name', 'firstname'),
            'courses.csv': good['courses.csv']!.replace('BIO101', 'BIO"101'),
            'roles.csv': good['roles.csv']!,
          }),
      },
    ];
  },
  demoReport: (handle) => (handle.sandbox ? [`Watermark received ${handle.sandbox.imports.length} import(s): ${handle.sandbox.imports.map((i) => `${i.fileName} (${i.files.length} files)`).join(', ')}`] : []),
};
