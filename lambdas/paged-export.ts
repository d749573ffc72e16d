import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { addCounts, noCounts, type Counts } from './counts.js';
import { readableCause, UnexpectedResponseError } from './errors.js';
import type { Logger } from './log.js';
import { deleteKeys, getJson, GzipJsonLinesWriter, listKeys, putJson } from './s3.js';

/**
 * The paged-export engine every "vendor API → S3" pipeline runs on. A vendor says how to fetch
 * one page (its paginator: a token, a page number…); the engine does the rest, once:
 *
 * - pages stream into gzip JSON Lines parts with deterministic keys (`part-00000.jsonl.gz`, …)
 *   under one folder per segment (a window, a run), one part per invocation, so a retried
 *   invocation rewrites its own part and never adds one;
 * - the invocation hands back to the state machine before the page budget or the Lambda's
 *   time runs out, with where it stands;
 * - a cursor it has already followed in this segment is a loop in the vendor's answers: the
 *   export fails naming it, never reads it as the end of the data;
 * - at the end, parts left by an earlier, longer attempt are removed, then the manifest is
 *   written; a cursor of the caller's (CampusGroups' `updatedEnd`) moves only after that, and
 *   only forward.
 */
export { addCounts, noCounts, type Counts } from './counts.js';

/** What a vendor's paginator answers for one page. */
export type PageAnswer<C> =
  /** The vendor is not ready yet (CampusGroups' 202): the state machine waits and calls again. */
  | { ready: false }
  /** The page's records, and the cursor of the next page; none at the end. */
  | { ready: true; records: readonly unknown[]; next?: C };

/** Where a segment's paging stands between invocations: JSON, small, no data. */
export interface SegmentState<C> {
  /** The next part's number. */
  part: number;
  /** The cursor of the next page; absent for the first page. */
  cursor?: C;
  /** Cursors followed so far in this segment, to catch a vendor that answers one twice. */
  followed: string[];
  counts: Counts;
}

export const newSegment = <C>(): SegmentState<C> => ({ part: 0, followed: [], counts: noCounts() });

export const partKey = (prefix: string, part: number): string => `${prefix}part-${String(part).padStart(5, '0')}.jsonl.gz`;

export { UnexpectedResponseError } from './errors.js';

export interface PagingOptions<C> {
  /** Names the errors (`CampusGroups.UnexpectedResponse`) and the messages. */
  vendor: string;
  /** What is being exported, for messages and logs: "entity events, query 1234-…". */
  label: string;
  bucket: string;
  /** The segment's folder, ending in '/'. */
  prefix: string;
  fetch: (cursor: C | undefined) => Promise<PageAnswer<C>>;
  /**
   * A rule the next cursor must follow from the current one (page numbers only go up), or
   * undefined; a cursor that breaks it fails the export naming both.
   */
  orderProblem?: (current: C | undefined, next: C) => string | undefined;
  maxPages: number;
  remainingMs: () => number;
  reserveMs: number;
  log: Logger;
}

export type PagingOutcome<C> =
  | { kind: 'not-ready'; state: SegmentState<C> }
  | { kind: 'more'; state: SegmentState<C> }
  | { kind: 'done'; state: SegmentState<C> };

/** Cursors are compared by their JSON; a long token is kept in the state as a digest. */
const cursorId = (cursor: unknown): string => {
  const text = JSON.stringify(cursor);
  return text.length <= 64 ? text : `sha256:${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
};

/** Pages of one segment into one part, from where the state stands, until the end, the page budget or the Lambda's time. */
export async function pageSegment<C>(state: SegmentState<C>, options: PagingOptions<C>): Promise<PagingOutcome<C>> {
  const { vendor, label, log } = options;
  let cursor = state.cursor;
  let answer: PageAnswer<C> = await options.fetch(cursor);
  if (!answer.ready) return { kind: 'not-ready', state };

  const followed = new Set(state.followed);
  // The part is opened only once there is something to put in it, so an empty segment writes no part.
  let writer: GzipJsonLinesWriter | undefined;
  let pages = 0;
  try {
    for (;;) {
      // Where to go next is decided before this page is written, so that the next page's
      // request (a read, with no effect at the vendor) is under way while this one is written:
      // the vendor's answer time and ours overlap. A page past the budget or the Lambda's time
      // is not asked for.
      const next: C | undefined = answer.next;
      if (next !== undefined) {
        const problem = options.orderProblem?.(cursor, next);
        if (problem) throw new UnexpectedResponseError(vendor, `${label}: ${problem}; the export stops rather than read the same data again or miss some.`);
        const id = cursorId(next);
        if (followed.has(id)) {
          throw new UnexpectedResponseError(vendor, `${label}: the next-page cursor ${id} was already followed in this export; the vendor is answering in a loop, so the export stops rather than read the same data again.`);
        }
        followed.add(id);
      }
      const goOn: boolean = next !== undefined && pages + 1 < options.maxPages && options.remainingMs() >= options.reserveMs;
      const coming: Promise<PageAnswer<C>> | undefined = goOn ? options.fetch(next) : undefined;
      // Settled here too, so that a write that fails first leaves no unhandled rejection behind.
      coming?.catch(() => undefined);
      // The request reaches the socket only when the fetch's chain of promises runs on, which
      // would be after the synchronous part of the write below (a page's records made into
      // text): one turn of the event loop first puts it on the wire, so the vendor works on
      // the next page while this one is written.
      if (coming) await setImmediate();
      if (answer.records.length > 0) {
        writer ??= new GzipJsonLinesWriter(options.bucket, partKey(options.prefix, state.part));
        await writer.writeAll(answer.records);
      }
      pages++;
      cursor = next;
      if (!coming) break;
      answer = await coming;
      // Not ready in the middle: hand back what is written; the next invocation asks for this page again.
      if (!answer.ready) break;
    }
  } catch (error) {
    await writer?.abort();
    throw error;
  }

  const written = writer ? await writer.close() : undefined;
  if (written) log.info('part written', { label, key: written.key, records: written.records, bytes: written.bytes, pages });
  const counts = addCounts(state.counts, { records: written?.records ?? 0, parts: written ? 1 : 0, bytes: written?.bytes ?? 0, pages });
  const next: SegmentState<C> = { part: state.part + (written ? 1 : 0), followed: [...followed], counts, ...(cursor === undefined ? {} : { cursor }) };
  return { kind: cursor === undefined ? 'done' : 'more', state: next };
}

/**
 * Closes a segment whose last page was read: removes parts an earlier, longer attempt left,
 * then writes the manifest (what a reader trusts), naming exactly this run's parts.
 */
export async function finishSegment(options: { bucket: string; prefix: string; counts: Counts; manifest: Record<string, unknown>; log: Logger }): Promise<string[]> {
  const { bucket, prefix, counts, log } = options;
  const partKeys = Array.from({ length: counts.parts }, (_, i) => partKey(prefix, i));
  const keep = new Set(partKeys);
  const stale = (await listKeys(bucket, prefix)).filter((k) => /part-\d{5}\.jsonl\.gz$/.test(k) && !keep.has(k));
  if (stale.length > 0) {
    log.warn('removing parts left by an earlier attempt', { prefix, stale });
    await deleteKeys(bucket, stale);
  }
  await putJson(bucket, `${prefix}_manifest.json`, {
    ...options.manifest,
    records: counts.records,
    parts: counts.parts,
    bytes: counts.bytes,
    pages: counts.pages,
    partKeys,
    format: 'jsonl.gz',
    exportedAt: new Date().toISOString(),
  });
  return partKeys;
}

export interface Cursor {
  cursor: string;
  committedAt: string;
  runId: string;
  [key: string]: unknown;
}

/** Moves a high-water mark (an ISO time) forward, never back; answers the mark now in force. */
export async function commitForward(bucket: string, key: string, value: string, fields: { runId: string; [key: string]: unknown }): Promise<string> {
  const current = await getJson<Cursor>(bucket, key);
  if (current && Date.parse(current.cursor) >= Date.parse(value)) return current.cursor;
  await putJson(bucket, key, { ...fields, cursor: value, committedAt: new Date().toISOString() } satisfies Cursor);
  return value;
}

// ── The page loop in the state machine ───────────────────────────────────────────────────────

/** Step Functions fails an execution at its 25,000th history event. */
export const HISTORY_EVENT_LIMIT = 25_000;
/** One more turn of a state machine's page loop: the Task (5 events), the count (Pass, 2) and the Choice (2). */
export const EVENTS_PER_PAGE_BATCH = 9;
/** Left for the summary, the end and the retries a plan cannot foresee. */
export const HISTORY_RESERVE = 1_000;

/**
 * How many page batches (ExportPages invocations) one entity may take before its state
 * machine ends it with `<Vendor>.TooManyPageBatches`: the batches its plan counts on and an
 * equal share of the history the plan leaves free. The state machine counts the turns itself,
 * so a loop that would not end (a vendor handing out fresh cursors forever) ends through the
 * pipeline's failure path, with its leases released, before the history limit would end the
 * execution with nothing said.
 */
export function pageBatchCap(plannedBatches: number, plannedEvents: number, entities: number): number {
  const spare = Math.max(0, HISTORY_EVENT_LIMIT - HISTORY_RESERVE - plannedEvents);
  return plannedBatches + Math.floor(spare / (Math.max(1, entities) * EVENTS_PER_PAGE_BATCH));
}

/** An error as a Catch hands it over: Step Functions' Error and, usually, Cause. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/** A failed entity as the state machine's EntityFailed (or TooManyPageBatches) state hands it to the summary. */
export interface CaughtEntity {
  entity: string;
  status: 'failed';
  failure: CaughtError;
  totals?: unknown;
}

export type FailedEntity = { entity: string; status: 'failed'; error: string; cause: string; totals?: unknown };

/**
 * The results of an export's Map as its summary reads them: a failure the state machine caught
 * becomes error and cause, the cause as a person reads it (a Lambda's errorMessage rather than
 * its JSON document; a Catch need not carry a Cause at all); and when the Map itself failed
 * (`stopped`, from its own Catch), every planned entity without a result is a failure with the
 * Map's error, so the summary names it, fails the run and releases its lease.
 */
export function entityResults<R extends { entity: string; status: string }>(
  results: Array<R | CaughtEntity>,
  planned: string[],
  stopped: CaughtError | null | undefined,
): Array<R | FailedEntity> {
  const out: Array<R | FailedEntity> = results.map((r) => {
    if (r.status !== 'failed' || !('failure' in r) || !r.failure) return r as R;
    const { failure, ...rest } = r as CaughtEntity;
    return { ...rest, error: failure.Error, cause: failure.Cause === undefined ? `${failure.Error}, with no cause given` : readableCause(failure.Cause) };
  });
  if (!stopped) return out;
  const done = new Set(out.map((r) => r.entity));
  const cause =
    `the state machine's entity map stopped (${stopped.Error}${stopped.Cause ? `: ${readableCause(stopped.Cause)}` : ''}) before this entity's result came back; ` +
    'what it committed before (whole parts, a cursor) stays.';
  return [...out, ...planned.filter((e) => !done.has(e)).map((entity): FailedEntity => ({ entity, status: 'failed', error: stopped.Error, cause }))];
}
