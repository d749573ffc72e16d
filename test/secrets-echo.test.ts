import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredForms } from '../lambdas/redact.js';
import { runPipeline } from '../local/runner.js';
import type { EchoMode } from '../lambdas/sandbox/http.js';
import { clearLeases, CAMPUSGROUPS_SECRET_ID, GOCONTRACTOR_SECRET_ID, listAll, logLines, putBatch, startEnv, WATERMARK_SECRET_ID } from './helpers/local.js';
import { sampleBatch } from '../vendors/watermark/sandbox/sample-batch.js';

// Vendors that echo what they were sent — every header, the body — in the error they answer,
// for every status a client meets, as JSON and as text; secrets full of the characters that
// escaping changes. No form of any secret or token may appear in any place a run writes.
// Header-borne credentials are printable ASCII (HTTP cannot carry more); form-borne ones get more.
const nasty = (tag: string) => `${tag}-"quo\\te"+pl/us=eq$dollar&amp;spa ce%25{'x'}<y>-${'x'.repeat(40)}`;
const SECRETS = {
  campusgroups: { schoolCode: 'demo-college', apiSecret: nasty('cg') },
  watermark: { clientId: nasty('wm-id'), clientSecret: `${nasty('wm-secret')}-üñï€` },
  gocontractor: { apiKey: nasty('gc') },
};
const STATUSES = (process.env.ECHO_STATUSES ?? '400,401,403,404,409,429,500').split(',').map(Number);
const FORMATS = ['json', 'text'] as const;

let env: Awaited<ReturnType<typeof startEnv>>;
const outputs: string[] = [];

beforeAll(async () => {
  env = await startEnv({
    campusgroups: { school: SECRETS.campusgroups.schoolCode, apiSecret: SECRETS.campusgroups.apiSecret },
    watermark: { clientId: SECRETS.watermark.clientId, clientSecret: SECRETS.watermark.clientSecret },
  });
  env.secrets.set(CAMPUSGROUPS_SECRET_ID, SECRETS.campusgroups);
  env.secrets.set(WATERMARK_SECRET_ID, SECRETS.watermark);
  env.secrets.set(GOCONTRACTOR_SECRET_ID, SECRETS.gocontractor);
  env.gocontractor.sandbox.options.apiKey = SECRETS.gocontractor.apiKey;
  await putBatch(env.s3, env.bucket, 'echo', sampleBatch(20));
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

function setEcho(echo: EchoMode | null) {
  env.campusgroups.sandbox!.configure({ echo });
  env.watermark.sandbox!.configure({ echo });
  env.gocontractor.sandbox.configure({ echo });
}

/** Every form a secret could take in text, as the scrubber knows them: the raw values at least. */
function forms(): string[] {
  const known = registeredForms();
  for (const s of [SECRETS.campusgroups.apiSecret, SECRETS.watermark.clientSecret, SECRETS.watermark.clientId, SECRETS.gocontractor.apiKey]) {
    expect(known, 'the secret was registered when read').toContain(s);
  }
  return known;
}

describe('no secret leaves in any form, against vendors that echo', () => {
  it('runs every HTTP pipeline and the doctor against every echoing status and format, and finds no form of a secret anywhere', async () => {
    const { runDoctor, targetsFromEnv } = await import('../doctor/checks.js');
    let runs = 0;
    for (const status of STATUSES) {
      for (const format of FORMATS) {
        setEcho({ status, format });
        await clearLeases();
        for (const [pipeline, input] of [
          ['campusgroups-export', { entities: ['events'] }],
          ['watermark-import', { batch: 'echo', force: true }],
          ['gocontractor-export', {}],
        ] as const) {
          const t0 = Date.now();
          const run = await runPipeline(pipeline, input, { retryDelayMs: 1 });
          if (process.env.ECHO_TIMING) console.log(pipeline, status, format, Date.now() - t0, 'ms', run.error);
          runs++;
          expect(run.status, `${pipeline} ${status} ${format}`).toBe('FAILED');
          outputs.push(JSON.stringify(run));
        }
        const lines = await runDoctor(targetsFromEnv(['campusgroups', 'watermark', 'gocontractor']));
        runs++;
        outputs.push(JSON.stringify(lines));
      }
    }
    setEcho(null);
    expect(runs).toBe(STATUSES.length * FORMATS.length * 4);

    // The places: run outputs and causes, doctor lines, every log line, every S3 object.
    const objects: string[] = [];
    for (const key of await listAll(env.s3, env.bucket, '')) {
      const body = await env.s3.send(new GetObjectCommand({ Bucket: env.bucket, Key: key }));
      objects.push(Buffer.from(await body.Body!.transformToByteArray()).toString('latin1'));
    }
    const places = { outputs, logLines, objects };
    const known = forms();
    let checked = 0;
    for (const [place, texts] of Object.entries(places)) {
      for (const text of texts) {
        for (const form of known) {
          checked++;
          if (text.includes(form)) expect.fail(`a form of a secret (${form.length} characters) is in ${place}: …${text.slice(Math.max(0, text.indexOf(form) - 60), text.indexOf(form))}[here]`);
        }
      }
    }
    // The echo did reach us: the errors said what the vendor said, without the secrets.
    expect(outputs.join('\n')).toContain('[REDACTED]');
    expect(checked).toBeGreaterThan(1000);
    console.log(`secret forms: ${known.length}; texts checked: ${outputs.length} outputs, ${logLines.length} log lines, ${objects.length} S3 objects; form × text checks: ${checked}`);
  }, 300_000);
});
