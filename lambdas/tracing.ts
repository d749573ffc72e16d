import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools Tracer: every handler is a segment (through the edge middleware), every AWS SDK
 * client is traced, and every vendor HTTP call is a subsegment named after its method and
 * host. Off outside Lambda (POWERTOOLS_TRACE_ENABLED=false in the local runtime).
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'school-etl-hub' });

/** An AWS SDK v3 client with its calls traced. */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);

/** Runs a vendor call in its own subsegment when tracing is on. */
export async function inSubsegment<T>(name: string, work: () => Promise<T>): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return work();
  const sub = parent.addNewSubsegment(name);
  tracer.setSegment(sub);
  try {
    return await work();
  } catch (error) {
    sub.addError(error as Error);
    throw error;
  } finally {
    sub.close();
    tracer.setSegment(parent);
  }
}
