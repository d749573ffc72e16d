// Plain JavaScript, so the Lambda host (lambda-host.mjs) can load it with nothing of the
// project's TypeScript toolchain beside it; the bench's measuring processes use it too.
import { readFileSync } from 'node:fs';

/**
 * This process's own peak resident memory in MB (VmHWM), what Lambda reports as Max Memory
 * Used. Not process.resourceUsage().maxRSS (ru_maxrss): on Linux a child keeps the high-water
 * mark of the image forked from its parent before exec, so a child of a 500 MB parent reports
 * 500 MB whatever it uses itself. Off Linux, ru_maxrss is all there is.
 */
export function peakRssMb() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hwm) return Number(hwm) / 1024;
  } catch {
    // no /proc: below
  }
  return process.resourceUsage().maxRSS / 1024;
}
