import type { SettingsSpec } from '../lambdas/settings.js';
import { z } from '../lambdas/zod.js';
import { HUB_DOCS, HUB_SETTINGS } from '../lib/config.js';
import type { LocalVendor } from '../local/config.js';

/**
 * The README's settings tables, made from the schemas: `etl docs` writes them between their
 * markers, and a test fails when the README and the schemas disagree.
 */

const show = (value: unknown): string => {
  if (value === undefined) return '—';
  if (value === null) return '`null`';
  if (Array.isArray(value) && value.length === 0) return '`[]`';
  if (value === '') return '`""`';
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
};

function table(rows: Array<[string, string, string]>): string {
  return ['| setting | default | meaning |', '|---|---|---|', ...rows.map(([k, d, m]) => `| \`${k}\` | ${d} | ${m} |`)].join('\n');
}

export function settingsTable(spec: Pick<SettingsSpec, 'schema' | 'docs'>): string {
  const defaults = z.partial(spec.schema).parse({}) as Record<string, unknown>;
  const full = spec.schema.safeParse({});
  const withDefaults = (full.success ? full.data : {}) as Record<string, unknown>;
  return table(Object.keys(spec.schema.shape).map((key) => [key, show(withDefaults[key] ?? defaults[key]), spec.docs[key as never] ?? '']));
}

export function hubTable(): string {
  return table(
    Object.keys(HUB_SETTINGS).map((key) => {
      const parsed = (HUB_SETTINGS as Record<string, z.ZodMiniType>)[key]!.safeParse(undefined);
      return [key, key === 'timeZone' ? 'required' : show(parsed.success ? parsed.data : undefined), HUB_DOCS[key as keyof typeof HUB_DOCS]];
    }),
  );
}

export function localTable(vendor: LocalVendor): string {
  const rows: Array<[string, string, string]> = Object.entries(vendor.local.configFields).map(([k, m]) => [k, '', m]);
  return ['| field | meaning |', '|---|---|', ...rows.map(([k, , m]) => `| \`${vendor.connector.name}.${k}\` | ${m} |`)].join('\n');
}

/** Every generated block, by its marker name. */
export function blocks(vendors: LocalVendor[]): Record<string, string> {
  const out: Record<string, string> = { 'settings:hub': hubTable() };
  for (const v of vendors) {
    out[`settings:${v.connector.name}`] = settingsTable(v.connector.settings);
    out[`local:${v.connector.name}`] = localTable(v);
  }
  return out;
}

const marker = (name: string) => new RegExp(`(<!-- ${name} -->\\n)[\\s\\S]*?(<!-- /${name} -->)`);

/** The README with every block rewritten; the names of blocks it has no markers for. */
export function updateReadme(text: string, vendors: LocalVendor[]): { text: string; missing: string[] } {
  let out = text;
  const missing: string[] = [];
  for (const [name, body] of Object.entries(blocks(vendors))) {
    if (!marker(name).test(out)) missing.push(name);
    else out = out.replace(marker(name), (_m, open: string, close: string) => `${open}${body}\n${close}`);
  }
  return { text: out, missing };
}
