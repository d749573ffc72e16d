export async function runBenchmarks(_args: string[]): Promise<number> {
  throw new Error('not yet');
}
