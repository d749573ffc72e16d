import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * When the current invocation must have stopped calling vendors: the Lambda's remaining time
 * less a reserve to report the outcome (a tenth of it, at most 10 s). Set by the handlers' edge
 * middleware from the Lambda context, for that invocation only (the local runtime runs many
 * at once in one process); outside a handler there is no limit.
 */
const store = new AsyncLocalStorage<number>();

export function setInvocationDeadline(remainingMs: number, now = Date.now()): void {
  const reserve = Math.min(10_000, Math.floor(remainingMs / 10));
  store.enterWith(now + remainingMs - reserve);
}

export const invocationDeadline = (): number => store.getStore() ?? Number.POSITIVE_INFINITY;

/** Runs `work` as if inside an invocation with this much time left (tests). */
export const withInvocationTime = <T>(remainingMs: number, work: () => Promise<T>): Promise<T> =>
  store.run(Date.now() + remainingMs - Math.min(10_000, Math.floor(remainingMs / 10)), work);
