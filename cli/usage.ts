/** Bad usage or a bad argument: the CLI prints the message and the hint to --help, exit 2. */
export class UsageError extends Error {}
