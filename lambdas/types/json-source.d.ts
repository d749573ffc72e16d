// JSON.parse's source text access and JSON.rawJSON (V8 11.4+, Node 21+, the Lambda nodejs24.x
// runtime), which TypeScript's ES libraries do not declare yet: the calls lambdas/json.ts makes.
interface RawJSON {
  readonly rawJSON: string;
}

interface JSON {
  /** A reviver's third argument: the source text of a primitive value. */
  parse(text: string, reviver: (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown): unknown;
  /** A value JSON.stringify writes as `text`, unchanged. */
  rawJSON(text: string): RawJSON;
  isRawJSON(value: unknown): value is RawJSON;
}
