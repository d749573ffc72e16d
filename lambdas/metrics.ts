import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics by Powertools Metrics, in the Embedded Metric Format: a JSON line on
 * stdout that Lambda's log delivery turns into metrics, so no function needs
 * cloudwatch:PutMetricData. The dimensions are exactly the ones given (no `service`
 * dimension), which the stack's alarms and dashboard name.
 */
export const METRICS_NAMESPACE = process.env.METRICS_NAMESPACE || 'SchoolEtlHub';

export function emitMetrics(dimensions: Record<string, string>, values: Record<string, number>, unit: (typeof MetricUnit)[keyof typeof MetricUnit] = MetricUnit.Count): void {
  // Locally the lines would only clutter the output: CloudWatch is not there to read them.
  if (process.env.ETL_LOCAL_RUNTIME) return;
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  metrics.addDimensions(dimensions);
  for (const [name, value] of Object.entries(values)) metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
}
