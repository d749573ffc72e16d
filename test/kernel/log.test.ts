import { describe, expect, it } from 'vitest';
import { createLogger, registerSecret, setLogSink } from '../../lambdas/log.js';
import { requireSecretKeys } from '../../lambdas/secrets.js';

describe('logger', () => {
  it('never prints a registered secret value or a value under a secret-looking key', () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    const secret = requireSecretKeys('etl/x', { schoolCode: 'demo', apiSecret: 'super-secret-123' }, ['schoolCode', 'apiSecret'], ['schoolCode']);
    const log = createLogger({ pipeline: 'test' });
    log.info(`calling with ${secret.apiSecret}`, { headers: { 'X-CG-API-Secret': 'anything' }, nested: [{ note: 'token super-secret-123' }], school: secret.schoolCode });
    log.error('failed', { error: new Error('bad secret super-secret-123') });
    const out = lines.join('\n');
    expect(out).not.toContain('super-secret-123');
    expect(out).not.toContain('anything');
    expect(out).toContain('[REDACTED]');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'INFO', pipeline: 'test', school: 'demo' });
  });

  it('scrubs secrets registered after the logger was made', () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    const log = createLogger();
    registerSecret({ clientSecret: 'late-secret' });
    log.warn('x late-secret y');
    expect(lines[0]).not.toContain('late-secret');
  });
});

describe('requireSecretKeys', () => {
  it('names the secret and the missing key, never a value', () => {
    expect(() => requireSecretKeys('etl/cg', { schoolCode: 'demo', apiSecret: '' }, ['schoolCode', 'apiSecret'])).toThrow(
      "Secret 'etl/cg' is missing key(s) apiSecret (expected schoolCode, apiSecret)",
    );
    expect(() => requireSecretKeys('etl/cg', 'plain-text-value', ['apiSecret'])).toThrow(/must hold a JSON object/);
    expect(() => requireSecretKeys('etl/cg', 'plain-text-value', ['apiSecret'])).not.toThrow(/plain-text-value/);
  });
});
