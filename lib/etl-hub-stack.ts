import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.js';
import { PipelineStateMachine } from './constructs/pipeline-state-machine.js';
import { CAMPUSGROUPS_EXPORT } from './pipelines.js';

export interface EtlHubStackProps extends StackProps {
  config: DeployConfig;
}

/** The whole hub in one stack: storage, secrets, alarms, and one state machine per enabled pipeline. */
export class EtlHubStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly alarmTopic: sns.Topic;
  readonly campusgroups?: PipelineStateMachine;

  constructor(scope: Construct, id: string, props: EtlHubStackProps) {
    super(scope, id, props);
    const { config } = props;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'DataBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        // A Lambda that dies mid-part leaves a multipart upload behind; its retry writes the part anew.
        { abortIncompleteMultipartUploadAfter: Duration.days(2) },
        { noncurrentVersionExpiration: Duration.days(90) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the ETL hub alarm topic; CloudWatch alarms may use it to publish.',
      enableKeyRotation: true,
    });
    alarmKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'School ETL hub alarms', masterKey: alarmKey, enforceSSL: true });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));

    if (config.campusgroups.enabled) {
      const cg = config.campusgroups;
      const secretName = `${this.stackName}/campusgroups`;
      const secret = new secretsmanager.Secret(this, 'CampusGroupsSecret', {
        secretName,
        description: 'CampusGroups Data Export API: JSON {"schoolCode": "...", "apiSecret": "..."}. Set the value after deploying; the template holds none.',
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'The API secret is issued in the CampusGroups admin page; AWS cannot rotate it. Rotate it there and put the new value here.',
      });
      this.campusgroups = new PipelineStateMachine(this, 'CampusGroupsExport', {
        pipeline: CAMPUSGROUPS_EXPORT,
        bucket: this.bucket,
        secret,
        alarmTopic: this.alarmTopic,
        environment: {
          DATA_BUCKET: this.bucket.bucketName,
          CAMPUSGROUPS_SECRET_ID: secretName,
          CAMPUSGROUPS_BASE_URL: cg.baseUrl,
          CAMPUSGROUPS_LOOKBACK_HOURS: String(cg.lookbackHours),
          CAMPUSGROUPS_WINDOW_DAYS: String(cg.windowDays),
          CAMPUSGROUPS_CONCURRENCY: String(cg.concurrency),
          CAMPUSGROUPS_PAGE_SIZE: String(cg.pageSize),
          CAMPUSGROUPS_QUERY_READY_TIMEOUT_SECONDS: String(cg.queryReadyTimeoutSeconds),
        },
      });
      this.nightly('CampusGroupsNightly', this.campusgroups.stateMachine, cg.schedule, config.timeZone);
      new CfnOutput(this, 'CampusGroupsStateMachineArn', { value: this.campusgroups.stateMachine.stateMachineArn });
      new CfnOutput(this, 'CampusGroupsSecretName', { value: secretName });
    }

    new CfnOutput(this, 'DataBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }

  /**
   * A nightly EventBridge Scheduler schedule in the district's time zone. It calls
   * StartExecution itself (the universal target) so the execution gets a name made from the
   * scheduler's invocation id: a retried delivery of the same invocation is then a no-op.
   */
  private nightly(id: string, stateMachine: sfn.StateMachine, expression: string, timeZone: string): void {
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: `Lets EventBridge Scheduler start ${stateMachine.node.id} executions`,
    });
    stateMachine.grantStartExecution(role);
    new scheduler.CfnSchedule(this, id, {
      description: `Nightly incremental run (${expression} ${timeZone})`,
      scheduleExpression: expression,
      scheduleExpressionTimezone: timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: 'arn:aws:scheduler:::aws-sdk:sfn:startExecution',
        roleArn: role.roleArn,
        input: JSON.stringify({ StateMachineArn: stateMachine.stateMachineArn, Name: 'nightly-<aws.scheduler.execution-id>', Input: '{}' }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }
}
