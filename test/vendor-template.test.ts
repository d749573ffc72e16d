import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The claim of the layout: a vendor is one folder and one entry in vendors/index.ts. A copy of
// the project gets a throwaway vendor made from the template, and every part of the hub must
// pick it up: the README check, cdk synth, etl local, etl doctor --local, etl sandbox.
const ROOT = join(import.meta.dirname, '..');
let work: string;

const run = (args: string[], options: { timeout?: number } = {}) => {
  const res = spawnSync(process.execPath, ['bin/etl.mjs', ...args], { cwd: work, encoding: 'utf-8', timeout: options.timeout ?? 90_000, env: { ...process.env, AWS_ENDPOINT_URL_S3: '' } });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
};

function copyTemplate(from: string, to: string) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    const name = entry.replace(/example/g, 'acme');
    if (statSync(source).isDirectory()) copyTemplate(source, join(to, name));
    else writeFileSync(join(to, name), readFileSync(source, 'utf-8').replace(/example/g, 'acme').replace(/Example/g, 'Acme').replace(/EXAMPLE/g, 'ACME'));
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'etl-vendor-template-'));
  const files = spawnSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf-8' }).stdout.split('\n').filter(Boolean);
  for (const file of files) {
    try {
      statSync(join(ROOT, file));
    } catch {
      continue; // deleted in the working tree
    }
    mkdirSync(dirname(join(work, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(work, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  // The one folder…
  copyTemplate(join(ROOT, 'test', 'fixtures', 'vendor-template'), join(work, 'vendors', 'acme'));
  // …and the one entry in the vendor list.
  const index = join(work, 'vendors', 'index.ts');
  writeFileSync(index, `import { acme } from './acme/connector.js';\n${readFileSync(index, 'utf-8').replace('export const VENDORS = [', 'export const VENDORS = [acme, ')}`);
}, 60_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a fifth vendor made from the template', () => {
  it('is asked for in the README check, and gets its settings table', () => {
    const before = run(['docs', '--check']);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('<!-- settings:acme -->');
    appendFileSync(join(work, 'README.md'), '\n<!-- settings:acme -->\n<!-- /settings:acme -->\n\n<!-- local:acme -->\n<!-- /local:acme -->\n');
    expect(run(['docs']).code).toBe(0);
    expect(run(['docs', '--check']).code).toBe(0);
    expect(readFileSync(join(work, 'README.md'), 'utf-8')).toContain('| `baseUrl` | `https://api.acme.invalid` | the API base |');
  });

  it('synthesizes with its state machine, function, secret and schedule', () => {
    const config = join(work, 'config', 'acme.json');
    writeFileSync(config, JSON.stringify({ stackName: 'TemplateHub', timeZone: 'UTC', campusgroups: { enabled: false }, watermark: { enabled: false }, acme: { enabled: true } }));
    const res = spawnSync('npx', ['cdk', 'synth', '-c', `config=${config}`, '--quiet', '-o', join(work, 'cdk.out')], { cwd: work, encoding: 'utf-8', timeout: 120_000 });
    expect(res.status, res.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(work, 'cdk.out', 'TemplateHub.template.json'), 'utf-8')) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
    const resources = Object.values(template.Resources);
    expect(resources.some((r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === 'TemplateHub-acme-export')).toBe(true);
    expect(resources.some((r) => r.Type === 'AWS::SecretsManager::Secret' && r.Properties.Name === 'TemplateHub/acme')).toBe(true);
    expect(resources.some((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.ACME_BASE_URL === 'https://api.acme.invalid')).toBe(true);
    expect(resources.some((r) => r.Type === 'AWS::Scheduler::Schedule' && r.Properties.ScheduleExpression === 'cron(0 5 * * ? *)')).toBe(true);
  }, 150_000);

  it('runs its state machine locally against its sandbox', () => {
    const res = run(['local', 'acme-export', '--json']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toContain('Acme export — 120 items');
    expect(JSON.parse(res.stdout.trim().split('\n').at(-1)!)).toMatchObject({ phase: 'done', segment: { counts: { records: 120, parts: 1 } } });
  });

  it('is checked by etl doctor --local', () => {
    const res = run(['doctor', '--local']);
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toMatch(/^ok\s+acme\s+secret\s+secret 'etl-hub\/acme' has apiKey$/m);
    expect(res.stdout).toMatch(/^ok\s+acme\s+auth\s+one page of items was read with the key$/m);
  });

  it('is started by etl sandbox', async () => {
    const child = spawn(process.execPath, ['bin/etl.mjs', 'sandbox'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sandbox line in: ${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ctrl-C stops.')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(out).toMatch(/Acme sandbox: http:\/\/127\.0\.0\.1:\d+/);
    expect(code).toBe(0);
  });
});
