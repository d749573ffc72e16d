import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EtlError } from './errors.js';
import { COMMON_ENV, requireEnv } from './settings.js';
import { traced } from './tracing.js';

/**
 * Single-flight: at most one execution acts on a batch or an entity at a time. A lease is a
 * DynamoDB item written only if absent, expired or already this holder's (a retried task),
 * so two executions started together cannot both get it; it expires, so a run that died
 * does not block forever; it is released when the run ends. Locally the table is dynalite's,
 * whose conditional writes fail the way DynamoDB's do.
 */
const client = traced(new DynamoDBClient({}));
const table = () => requireEnv(COMMON_ENV.stateTable);

export class AlreadyRunningError extends EtlError {
  constructor(message: string) {
    super('Etl.AlreadyRunning', message);
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

export async function acquireLease(scope: string, holder: string, ttlSeconds: number, now = Date.now()): Promise<void> {
  const nowSeconds = Math.floor(now / 1000);
  try {
    await client.send(
      new PutItemCommand({
        TableName: table(),
        Item: { pk: { S: `lease#${scope}` }, holder: { S: holder }, acquiredAt: { N: String(nowSeconds) }, expiresAt: { N: String(nowSeconds + ttlSeconds) } },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :holder',
        ExpressionAttributeValues: { ':now': { N: String(nowSeconds) }, ':holder': { S: holder } },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException) && (error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    const current = (await client.send(new GetItemCommand({ TableName: table(), Key: { pk: { S: `lease#${scope}` } }, ConsistentRead: true }))).Item;
    const other = current?.holder?.S ?? 'another execution';
    const since = current?.acquiredAt?.N ? iso(Number(current.acquiredAt.N)) : 'earlier';
    const until = current?.expiresAt?.N ? iso(Number(current.expiresAt.N)) : 'its end';
    throw new AlreadyRunningError(
      `${scope} is being worked on by execution ${other} (since ${since}); this run sent nothing. ` +
        `Run it again once that execution has ended; if it died, its hold lapses at ${until}.`,
    );
  }
}

/** Gives the lease up, if this holder still has it. */
export async function releaseLease(scope: string, holder: string): Promise<void> {
  try {
    await client.send(
      new DeleteItemCommand({
        TableName: table(),
        Key: { pk: { S: `lease#${scope}` } },
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':holder': { S: holder } },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/**
 * Holds every scope for one holder, or none: when one is held by another execution, the ones
 * already taken are given back and the error names the holder.
 */
export async function acquireAll(scopes: string[], holder: string, ttlSeconds: number): Promise<void> {
  const taken: string[] = [];
  try {
    for (const scope of scopes) {
      await acquireLease(scope, holder, ttlSeconds);
      taken.push(scope);
    }
  } catch (error) {
    await releaseAll(taken, holder);
    throw error;
  }
}

export async function releaseAll(scopes: string[], holder: string): Promise<void> {
  for (const scope of scopes) await releaseLease(scope, holder);
}
