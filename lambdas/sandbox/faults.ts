/**
 * Switchable faults shared by the vendor sandboxes. A seeded generator decides which answers
 * are faulted, so a failing test can be replayed exactly.
 */
export type FaultKind = '5xx' | '429' | 'reset' | 'slow';

export interface FaultOptions {
  /** Share of answers faulted, 0..1. */
  rate: number;
  kinds: FaultKind[];
  retryAfterSeconds: number;
  slowMs: number;
  seed: number;
}

export const NO_FAULTS: FaultOptions = { rate: 0, kinds: ['5xx', '429', 'reset'], retryAfterSeconds: 1, slowMs: 2000, seed: 42 };

/** mulberry32: small, fast, and good enough to spread faults evenly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private random: () => number;
  constructor(private options: FaultOptions) {
    this.random = seededRandom(options.seed);
  }

  update(options: Partial<FaultOptions>): void {
    this.options = { ...this.options, ...options };
    if (options.seed !== undefined) this.random = seededRandom(options.seed);
  }

  get settings(): FaultOptions {
    return this.options;
  }

  /** The fault for the next answer, if any. */
  next(): FaultKind | undefined {
    if (this.options.rate <= 0 || this.options.kinds.length === 0) return undefined;
    if (this.random() >= this.options.rate) return undefined;
    return this.options.kinds[Math.floor(this.random() * this.options.kinds.length)];
  }
}
