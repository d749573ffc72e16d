/**
 * CloudWatch metrics by the Embedded Metric Format: a JSON line on stdout that Lambda's log
 * delivery turns into metrics, so no function needs cloudwatch:PutMetricData.
 */
export const METRICS_NAMESPACE = process.env.METRICS_NAMESPACE || 'SchoolEtlHub';

export function emitMetrics(dimensions: Record<string, string>, values: Record<string, number>, unit = 'Count'): void {
  if (process.env.ETL_LOCAL_RUNTIME) return;
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: Object.keys(values).map((Name) => ({ Name, Unit: unit })) },
      ],
    },
    ...dimensions,
    ...values,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
