import { describe, expect, it } from 'vitest';
import { progressLine, RetryTally } from '../cli/progress.js';

const stream = (isTTY: boolean) => {
  const out = { text: '', isTTY, columns: 24, write: (s: string) => ((out.text += s), true) };
  return out as typeof out & NodeJS.WriteStream;
};

describe('run progress in the CLI', () => {
  it('updates one line in place on a terminal, cut to its width, and clears it at the end', () => {
    const tty = stream(true);
    const p = progressLine(tty, '  ');
    p.line('events: page 1');
    p.line('events: page 2 of a very long export');
    p.done();
    expect(tty.text).toBe('\r\u001b[K  events: page 1\r\u001b[K  events: page 2 of a …\r\u001b[K');
    expect(tty.text).not.toContain('\n');
  });

  it('writes plain lines when not a terminal', () => {
    const pipe = stream(false);
    const p = progressLine(pipe, '  ');
    p.line('a');
    p.line('b');
    p.done();
    expect(pipe.text).toBe('  a\n  b\n');
  });

  it('tells what a run survived: HTTP retries from the Lambda logs, step retries and polls from the events', () => {
    const tally = new RetryTally();
    expect(tally.summary()).toBe('no retries');
    const log = (message: string, extra: object) => tally.logLine(JSON.stringify({ level: 'WARN', message, ...extra }));
    log('retrying HTTP request', { problem: 'HTTP 503' });
    log('retrying HTTP request', { problem: 'HTTP 503' });
    log('retrying the import upload', { status: 429 });
    log('query still running', { problem: 'HTTP 503' });
    tally.logLine('not json, retrying');
    const state = (type: string, name: string, Error?: string) => tally.event({ type, timestamp: 0, state: { name, input: {} }, ...(Error ? { Error } : {}) });
    state('StateFailed', 'StartQuery', 'Etl.Transient');
    state('StateRetried', 'StartQuery');
    state('StateFailed', 'ExportPages', 'CampusGroups.QueryNotReady');
    state('StateRetried', 'ExportPages');
    state('StateRetried', 'ExportPages');
    expect(tally.summary()).toBe(
      'survived 3 HTTP retries (HTTP 503 ×2, HTTP 429 ×1) and 1 step retry (StartQuery ← Etl.Transient ×1); waited with 2 polls (ExportPages ← CampusGroups.QueryNotReady ×2)',
    );
  });
});
