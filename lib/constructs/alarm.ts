import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * Every alarm of the hub: one period, a threshold of 1, and the alarm topic as its action.
 * `when` says which side of 1 is trouble: a count of something bad that reached 1, or a count of
 * something good that stayed under it — where no data at all counts as trouble too.
 */
export function alarmToTopic(
  scope: Construct,
  id: string,
  topic: sns.ITopic,
  props: { description: string; metric: cloudwatch.IMetric; when: 'atLeastOne' | 'noneWithMissingBreaching' },
): cloudwatch.Alarm {
  const none = props.when === 'noneWithMissingBreaching';
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: none ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: none ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cwActions.SnsAction(topic));
  return alarm;
}
