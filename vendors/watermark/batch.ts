import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../../lambdas/errors.js';
import { getJson, listKeys, s3 } from '../../lambdas/s3.js';
import { CsvChecker, shownList, uniqueColumns, type CsvProblem } from '../../lambdas/csv.js';
import { ValidationFailedError } from './errors.js';
import { matchHeader, SEED_REGISTRY, uniqueColumnsOf, validateRegistry, type HeaderMatch, type Registry } from './registry.js';

export const outboxPrefix = (batch: string) => `watermark/outbox/${batch}/`;
export const zipKey = (batch: string) => `watermark/zips/${batch}.zip`;
export const receiptKey = (batch: string) => `state/watermark/${batch}/receipt.json`;
/** A registry refreshed from Watermark's templates and put here wins over the one bundled with the code. */
export const REGISTRY_KEY = 'state/watermark/registry.json';

export function checkBatchName(batch: unknown): string {
  if (typeof batch !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(batch)) {
    throw new InvalidInputError(`batch must be a folder name under watermark/outbox/ (letters, digits, '.', '_', '-'), got ${JSON.stringify(batch)}`);
  }
  return batch;
}

export async function loadRegistry(bucket: string): Promise<Registry> {
  const stored = await getJson<unknown>(bucket, REGISTRY_KEY);
  return stored === undefined ? SEED_REGISTRY : validateRegistry(stored, `s3://${bucket}/${REGISTRY_KEY}`);
}

export interface BatchFile {
  name: string;
  key: string;
  type: string;
  rows: number;
  bytes: number;
  /** False when the type is known only by file name (registry not refreshed from the templates). */
  headerChecked: boolean;
}

export async function objectStream(bucket: string, key: string): Promise<Readable> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body as Readable;
}

const where = (file: string, p: CsvProblem) => `${file}${p.line ? ` line ${p.line}` : ''}${p.column ? `, column '${p.column}'` : ''}`;

/**
 * Checks every CSV of a batch before anything leaves the account, and lists every problem:
 * UTF-8, RFC 4180, no control characters, a header matching exactly one import type, unique ids
 * unique within the file, no type twice, no empty file.
 */
export async function validateBatch(bucket: string, batch: string, registry: Registry): Promise<{ files: BatchFile[]; warnings: string[] }> {
  const prefix = outboxPrefix(batch);
  const keys = (await listKeys(bucket, prefix)).filter((k) => !k.endsWith('/_READY'));
  const problems: string[] = [];
  const warnings: string[] = [];
  const files: BatchFile[] = [];
  if (keys.length === 0) throw new ValidationFailedError(`Batch '${batch}' has no files under s3://${bucket}/${prefix}; nothing was sent to Watermark.`);

  for (const key of keys.sort()) {
    const name = key.slice(prefix.length);
    if (!name.toLowerCase().endsWith('.csv') || name.includes('/')) {
      problems.push(`${name}: is not a CSV file at the top of the batch; Watermark's ZIP import takes only CSV files`);
      continue;
    }
    let match: HeaderMatch | undefined;
    const checker = new CsvChecker((header, c) => {
      match = matchHeader(registry, header, name);
      if (match.kind === 'none') return undefined;
      const columns = uniqueColumnsOf(match.type);
      return columns.length ? uniqueColumns(c, header, columns, `${columns.join(' and ')} ${columns.length > 1 ? 'together identify' : 'identifies'} a row of a '${match.type.type}' file, so Watermark takes one row per value`) : undefined;
    });
    let bytes = 0;
    for await (const chunk of await objectStream(bucket, key)) {
      bytes += (chunk as Buffer).length;
      checker.write(chunk as Buffer);
    }
    const result = checker.end();
    for (const p of result.problems) problems.push(`${where(name, p)}: ${p.message}`);
    if (result.moreProblems > 0) problems.push(`${name}: ${result.moreProblems} more problems like these`);
    if (!match) continue;

    if (match.kind === 'none') {
      const diff = [
        match.missing.length ? `missing ${shownList(match.missing)}` : '',
        match.unexpected.length ? `unexpected ${shownList(match.unexpected)}` : '',
        ...match.notes.slice(0, 10),
      ].filter(Boolean);
      problems.push(
        `${name} line 1: the header matches no Watermark import type, so Watermark would skip the file` +
          (match.closest ? `; closest is '${match.closest.type}' (${match.closest.file})${diff.length ? `: ${diff.join('; ')}` : ''}` : ''),
      );
      continue;
    }
    if (match.kind === 'byName') {
      warnings.push(`${name}: taken as '${match.type.type}' by its file name; its header could not be checked (the registry has no header for it until refreshed from Watermark's templates)`);
    }
    files.push({ name, key, type: match.type.type, rows: result.rows, bytes, headerChecked: match.kind === 'exact' });
  }

  const byType = new Map<string, string[]>();
  for (const f of files) byType.set(f.type, [...(byType.get(f.type) ?? []), f.name]);
  for (const [type, names] of byType) {
    if (names.length > 1) problems.push(`${names.join(' and ')}: are all '${type}' files; Watermark imports one file per type, so merge them`);
  }

  if (problems.length > 0) {
    throw new ValidationFailedError(
      `Batch '${batch}' has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was sent to Watermark.\n` + problems.map((p) => `- ${p}`).join('\n'),
    );
  }
  const order = new Map(registry.types.map((t) => [t.type, t.loadOrder]));
  files.sort((a, b) => (order.get(a.type) ?? 99) - (order.get(b.type) ?? 99));
  return { files, warnings };
}

export interface ZipInfo {
  key: string;
  bytes: number;
  sha256: string;
}
