import { join } from 'node:path';

/** The project root, for files the local runtime reads (ASL, configs) and writes (.local/). */
export const ROOT = join(import.meta.dirname, '..');
