import { basename } from 'node:path';
import yauzl from 'yauzl';
import { SEED_REGISTRY, validateRegistry, type Registry } from './registry.js';

/** The first line of every CSV in a ZIP, by file name (folders inside the ZIP are ignored). */
function headersOf(zip: Buffer): Promise<Map<string, string[]>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, archive) => {
      if (error || !archive) return reject(error ?? new Error('not a ZIP'));
      const headers = new Map<string, string[]>();
      archive.on('error', reject);
      archive.on('end', () => resolve(headers));
      archive.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.toLowerCase().endsWith('.csv')) return archive.readEntry();
        archive.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error(`cannot read ${entry.fileName}`));
          let text = '';
          stream.on('data', (c: Buffer) => {
            if (!text.includes('\n')) text += c.toString('utf-8');
          });
          stream.on('end', () => {
            const first = text.replace(/^\ufeff/, '').split(/\r?\n/)[0] ?? '';
            headers.set(basename(entry.fileName).toLowerCase(), first.split(',').map((c) => c.trim().replace(/^"|"$/g, '')));
            archive.readEntry();
          });
          stream.on('error', reject);
        });
      });
      archive.readEntry();
    });
  });
}

/**
 * A registry refreshed from Watermark's sample templates (All_CSVs_SysAdmin.zip): each known
 * template's header becomes that type's columns. Says which templates it did not find and
 * which files in the ZIP it did not know.
 */
export async function refreshRegistry(zip: Buffer, source: string, base: Registry = SEED_REGISTRY): Promise<{ registry: Registry; report: string[] }> {
  const headers = await headersOf(zip);
  const report: string[] = [];
  const types = base.types.map((t) => {
    const header = headers.get(t.file.toLowerCase());
    if (!header) {
      report.push(`${t.file}: not in the ZIP; kept as it was (${t.columns ? `${t.columns.length} columns` : 'header unknown'})`);
      return t;
    }
    report.push(`${t.file}: ${header.length} columns`);
    return { ...t, columns: header };
  });
  for (const name of headers.keys()) {
    if (!base.types.some((t) => t.file.toLowerCase() === name)) report.push(`${name}: in the ZIP but not a known import type; left out`);
  }
  const registry = validateRegistry({ ...base, refreshedFrom: `${source} (${new Date().toISOString().slice(0, 10)})`, types }, source);
  return { registry, report };
}
