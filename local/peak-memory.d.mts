/** This process's own peak resident memory in MB (VmHWM on Linux); see peak-memory.mjs. */
export function peakRssMb(): number;
