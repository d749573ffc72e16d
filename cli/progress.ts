import type { LocalEvent } from '../lambdas/connector.js';
import { plural } from '../lambdas/format.js';

/**
 * Progress lines of a run: on a terminal, one line that updates in place (the summary follows
 * it); otherwise (a pipe, a CI log) one plain line each.
 */
export function progressLine(stream: NodeJS.WriteStream, indent = ''): { line: (text: string) => void; done: () => void } {
  if (!stream.isTTY) return { line: (text) => stream.write(`${indent}${text}\n`), done: () => undefined };
  let shown = false;
  return {
    line: (text) => {
      const width = Math.max(20, (stream.columns ?? 100) - 1);
      const full = `${indent}${text}`;
      stream.write(`\r\u001b[K${full.length > width ? `${full.slice(0, width - 1)}…` : full}`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\u001b[K');
      shown = false;
    },
  };
}

/**
 * What a run survived: the retries of its steps (from the execution's events: the error each
 * Retry caught) and the HTTP retries inside its Lambdas (from their log lines).
 */
export class RetryTally {
  private readonly steps = new Map<string, number>();
  /** Retries that are a state machine's way of waiting (a query not ready, an import in progress). */
  private readonly polls = new Map<string, number>();
  private readonly http = new Map<string, number>();
  private readonly lastError = new Map<string, string>();

  /** For runPipeline's onEvent. */
  event(e: LocalEvent): void {
    const name = e.state?.name;
    if (!name) return;
    if (e.type === 'StateFailed') this.lastError.set(name, e.Error ?? 'an error');
    if (e.type === 'StateRetried') {
      const error = this.lastError.get(name) ?? 'an error';
      const map = /(NotReady|InProgress)$/.test(error) ? this.polls : this.steps;
      const key = `${name} ← ${error}`;
      map.set(key, (map.get(key) ?? 0) + 1);
    }
  }

  /** For the Lambda log sink: counts the lines that say a request is being retried. */
  logLine(line: string): void {
    if (!line.includes('retrying')) return;
    try {
      const entry = JSON.parse(line) as { message?: string; problem?: string; status?: number };
      if (!/retrying/.test(entry.message ?? '')) return;
      const why = entry.problem ?? (entry.status ? `HTTP ${entry.status}` : 'a failed request');
      this.http.set(why, (this.http.get(why) ?? 0) + 1);
    } catch {
      // not a JSON log line
    }
  }

  /** "survived 3 HTTP retries (HTTP 503 ×2, …) and 2 step retries (…); waited with 9 polls (…)", or "no retries". */
  summary(): string {
    const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} ×${n}`).join(', ');
    const count = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const parts = [
      this.http.size ? `${plural(count(this.http), 'HTTP retry', 'HTTP retries')} (${list(this.http)})` : '',
      this.steps.size ? `${plural(count(this.steps), 'step retry', 'step retries')} (${list(this.steps)})` : '',
    ].filter(Boolean);
    const waited = this.polls.size ? `waited with ${plural(count(this.polls), 'poll')} (${list(this.polls)})` : '';
    return [parts.length ? `survived ${parts.join(' and ')}` : 'no retries', waited].filter(Boolean).join('; ');
  }
}
