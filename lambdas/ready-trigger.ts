import { createHash } from 'node:crypto';

/** The part of an EventBridge "Object Created" event from S3 that the trigger reads. */
export interface S3ObjectCreatedEvent {
  detail?: { bucket?: { name?: string }; object?: { key?: string; etag?: string; sequencer?: string } };
}

/**
 * Execution name and input for a `<outbox>/<batch>/_READY` marker (outbox like "watermark/outbox/"),
 * or nothing for any other object. Deterministic per S3 event.
 */
export function readyEventToExecution(event: S3ObjectCreatedEvent, outbox: string): { name: string; input: { batch: string } } | undefined {
  const raw = event.detail?.object?.key;
  const key = raw ? decodeURIComponent(raw.replace(/\+/g, ' ')) : '';
  const match = key.startsWith(outbox) ? /^([A-Za-z0-9][A-Za-z0-9._-]{0,79})\/_READY$/.exec(key.slice(outbox.length)) : null;
  if (!match) return undefined;
  const batch = match[1]!;
  const marker = event.detail?.object?.sequencer ?? event.detail?.object?.etag ?? '';
  const suffix = createHash('sha256').update(`${key}|${marker}`).digest('hex').slice(0, 12);
  // Execution names: at most 80 characters of letters, digits, '-' and '_'.
  const name = `ready-${batch.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}-${suffix}`;
  return { name, input: { batch } };
}
