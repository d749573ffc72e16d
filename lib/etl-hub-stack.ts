import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as transfer from 'aws-cdk-lib/aws-transfer';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.js';

const PIPELINE_NAMES: Record<string, string> = {
  campusgroups: 'campusgroups-export',
  watermark: 'watermark-import',
  samegoal: 'samegoal-delivery',
  gocontractor: 'gocontractor-export',
};
import { PipelineStateMachine } from './constructs/pipeline-state-machine.js';
import { CAMPUSGROUPS_EXPORT, GOCONTRACTOR_EXPORT, READY_TRIGGER_ENTRY, SAMEGOAL_DELIVERY, WATERMARK_IMPORT } from './pipelines.js';
import { bundledFunction } from './constructs/bundled-function.js';

export interface EtlHubStackProps extends StackProps {
  config: DeployConfig;
}

/** The whole hub in one stack: storage, secrets, alarms, and one state machine per enabled pipeline. */
export class EtlHubStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly alarmTopic: sns.Topic;
  readonly campusgroups?: PipelineStateMachine;
  watermark?: PipelineStateMachine;
  samegoal?: PipelineStateMachine;
  gocontractor?: PipelineStateMachine;
  /** Each deployed connection's secret and settings, for the daily connection checks. */
  private readonly connections: Array<{ name: string; secret: secretsmanager.ISecret; environment: Record<string, string>; pipeline: PipelineStateMachine }> = [];

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
      // Object events go to EventBridge, where rules start the pipelines that wait for a drop.
      eventBridgeEnabled: true,
    });

    // eventBridgeEnabled adds CDK's own BucketNotificationsHandler to set the bucket's notification configuration.
    const notifications = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notifications) {
      Validations.of(notifications).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's bucket-notifications custom resource; its managed policy only writes its own logs.",
      });
    }

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
      const secret = this.vendorSecret('CampusGroupsSecret', secretName, 'CampusGroups Data Export API: JSON {"schoolCode": "...", "apiSecret": "..."}. Set the value after deploying; the template holds none.', 'The API secret is issued in the CampusGroups admin page; AWS cannot rotate it. Rotate it there and put the new value here.');
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
      this.schedule('CampusGroupsNightly', this.campusgroups.stateMachine, cg.schedule, config.timeZone, 'nightly', {});
      this.connections.push({
        name: 'campusgroups',
        secret,
        environment: { CAMPUSGROUPS_SECRET_ID: secretName, CAMPUSGROUPS_BASE_URL: cg.baseUrl },
        pipeline: this.campusgroups,
      });
      new CfnOutput(this, 'CampusGroupsStateMachineArn', { value: this.campusgroups.stateMachine.stateMachineArn });
      new CfnOutput(this, 'CampusGroupsSecretName', { value: secretName });
    }

    if (config.watermark.enabled) this.watermarkImport(config);
    if (config.samegoal.enabled) this.samegoalDelivery(config);
    if (config.gocontractor.enabled) this.gocontractorExport(config);

    if (this.connections.length > 0) this.connectionChecks(config);
    this.dashboard();

    new CfnOutput(this, 'DataBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }

  private watermarkImport(config: DeployConfig): void {
    const wm = config.watermark;
    const secretName = `${this.stackName}/watermark`;
    const secret = this.vendorSecret('WatermarkSecret', secretName, 'Watermark Bulk Import API: JSON {"clientId": "...", "clientSecret": "..."} from Data Transactions › API Management. Set after deploying.', 'Client credentials are created in Watermark System Administration; AWS cannot rotate them. Rotate them there and put the new value here.');
    this.watermark = new PipelineStateMachine(this, 'WatermarkImport', {
      pipeline: WATERMARK_IMPORT,
      bucket: this.bucket,
      secret,
      alarmTopic: this.alarmTopic,
      environment: {
        DATA_BUCKET: this.bucket.bucketName,
        WATERMARK_SECRET_ID: secretName,
        WATERMARK_TOKEN_URL: wm.tokenUrl,
        WATERMARK_AUDIENCE: wm.audience,
        WATERMARK_API_BASE_URL: wm.apiBaseUrl,
        WATERMARK_MAX_POLL_SECONDS: String(wm.maxPollSeconds),
      },
    });
    const machine = this.watermark.stateMachine;
    this.connections.push({
      name: 'watermark',
      secret,
      environment: { WATERMARK_SECRET_ID: secretName, WATERMARK_TOKEN_URL: wm.tokenUrl, WATERMARK_AUDIENCE: wm.audience, WATERMARK_API_BASE_URL: wm.apiBaseUrl },
      pipeline: this.watermark,
    });

    this.startOnReady('Watermark', machine, 'watermark/outbox/');
    if (wm.schedule) this.schedule('WatermarkScheduled', machine, wm.schedule, config.timeZone, 'scheduled', { latestReady: true });
    new CfnOutput(this, 'WatermarkStateMachineArn', { value: machine.stateMachineArn });
    new CfnOutput(this, 'WatermarkSecretName', { value: secretName });
  }

  /**
   * `<outbox><batch>/_READY` → EventBridge → a small Lambda that starts the machine with an
   * execution name made from the S3 event, so a redelivered event starts nothing.
   */
  private startOnReady(id: string, machine: sfn.StateMachine, outbox: string): void {
    const trigger = bundledFunction(this, `${id}StartOnReady`, {
      entry: READY_TRIGGER_ENTRY,
      timeoutSeconds: 30,
      memoryMb: 128,
      environment: { STATE_MACHINE_ARN: machine.stateMachineArn, OUTBOX_PREFIX: outbox },
    });
    machine.grantStartExecution(trigger);
    new events.Rule(this, `${id}ReadyRule`, {
      description: `A _READY marker under ${outbox}<batch>/ starts ${machine.node.scope?.node.id} for that batch`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.bucket.bucketName] }, object: { key: [{ wildcard: `${outbox}*/_READY` }] } },
      },
      targets: [new eventsTargets.LambdaFunction(trigger, { retryAttempts: 4 })],
    });
  }

  /**
   * A connection's secret: created without a value (the operator puts it in after deploying), and
   * not rotated by AWS because the vendor issues it; `reason` says where it is rotated instead.
   */
  private vendorSecret(id: string, secretName: string, description: string, reason: string): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, { secretName, description });
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
    return secret;
  }

  /**
   * The daily `etl doctor` in AWS: a Lambda that checks every connection and publishes
   * ConnectionHealthy / ConnectionWarning per connection; an alarm on each sends the alarm
   * topic a message when a check fails, a key is close to expiry, or the checks did not run.
   */
  private connectionChecks(config: DeployConfig): void {
    const fn = bundledFunction(this, 'CheckConnections', {
      entry: 'doctor/check-connections.ts',
      timeoutSeconds: 120,
      memoryMb: 256,
      environment: Object.assign({ DOCTOR_CONNECTIONS: this.connections.map((c) => c.name).join(',') }, ...this.connections.map((c) => c.environment)),
    });
    for (const c of this.connections) c.secret.grantRead(fn);
    const role = new iam.Role(this, 'CheckConnectionsScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'Lets EventBridge Scheduler run the daily connection checks',
    });
    fn.grantInvoke(role);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: 'The CDK invoke grant covers the function and its versions; the schedule invokes this function only.',
    });
    new scheduler.CfnSchedule(this, 'CheckConnectionsDaily', {
      description: 'Daily connection checks (etl doctor)',
      scheduleExpression: config.doctorSchedule,
      scheduleExpressionTimezone: config.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: fn.functionArn, roleArn: role.roleArn, retryPolicy: { maximumRetryAttempts: 2 } },
    });
    for (const c of this.connections) {
      const metric = (name: string, statistic: string) =>
        new cloudwatch.Metric({ namespace: 'SchoolEtlHub', metricName: name, dimensionsMap: { Connection: c.name }, statistic, period: Duration.days(1) });
      const healthy = new cloudwatch.Alarm(this, `${c.name}ConnectionAlarm`, {
        alarmDescription: `${c.name}: a connection check failed, or the checks did not run. Run 'etl doctor' for the line and the fix to try.`,
        metric: metric('ConnectionHealthy', 'Minimum'),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      healthy.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      const warning = new cloudwatch.Alarm(this, `${c.name}ConnectionWarningAlarm`, {
        alarmDescription: `${c.name}: a connection check warned (a key expires soon). Run 'etl doctor' for the details.`,
        metric: metric('ConnectionWarning', 'Maximum'),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      warning.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
    }
  }

  /** Per pipeline: runs succeeded and failed, what it moved, how long it took; and the connection checks. */
  private dashboard(): void {
    const pipelines = this.connections.map((c) => ({ name: c.pipeline.node.id, machine: c.pipeline.stateMachine, key: PIPELINE_NAMES[c.name]! }));
    if (pipelines.length === 0) return;
    const board = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${this.stackName}-etl-hub`, defaultInterval: Duration.days(14) });
    for (const p of pipelines) {
      const moved = (metricName: string) =>
        new cloudwatch.Metric({ namespace: 'SchoolEtlHub', metricName, dimensionsMap: { Pipeline: p.key }, statistic: 'Sum', period: Duration.days(1) });
      board.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${p.key}: runs`,
          left: [p.machine.metricSucceeded({ period: Duration.days(1), statistic: 'Sum' }), p.machine.metricFailed({ period: Duration.days(1), statistic: 'Sum' })],
          width: 8,
        }),
        new cloudwatch.GraphWidget({ title: `${p.key}: records and files moved`, left: [moved('RecordsMoved')], right: [moved('FilesMoved')], width: 8 }),
        new cloudwatch.GraphWidget({ title: `${p.key}: duration`, left: [p.machine.metricTime({ period: Duration.days(1), statistic: 'Maximum' })], width: 8 }),
      );
    }
    board.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Connection checks (1 = healthy)',
        left: this.connections.map((c) => new cloudwatch.Metric({ namespace: 'SchoolEtlHub', metricName: 'ConnectionHealthy', dimensionsMap: { Connection: c.name }, statistic: 'Minimum', period: Duration.days(1) })),
        width: 24,
      }),
    );
  }

  private gocontractorExport(config: DeployConfig): void {
    const gc = config.gocontractor;
    const secretName = `${this.stackName}/gocontractor`;
    const secret = this.vendorSecret('GoContractorSecret', secretName, 'GoContractor API key: JSON {"apiKey": "...", "expiresOn": "YYYY-MM-DD" (optional)} from Settings › API Integrations. Set after deploying.', 'The API key is created in the GoContractor admin portal; AWS cannot rotate it. Replace it there and put the new value here.');
    this.gocontractor = new PipelineStateMachine(this, 'GoContractorExport', {
      pipeline: GOCONTRACTOR_EXPORT,
      bucket: this.bucket,
      secret,
      alarmTopic: this.alarmTopic,
      environment: {
        DATA_BUCKET: this.bucket.bucketName,
        GOCONTRACTOR_SECRET_ID: secretName,
        GOCONTRACTOR_BASE_URL: gc.baseUrl,
        GOCONTRACTOR_AUTH_HEADER: gc.authHeader,
        GOCONTRACTOR_PAGE_SIZE: String(gc.pageSize),
        GOCONTRACTOR_EXPIRY_WARN_DAYS: String(gc.expiryWarnDays),
      },
    });
    this.schedule('GoContractorNightly', this.gocontractor.stateMachine, gc.schedule, config.timeZone, 'nightly', {});
    this.connections.push({
      name: 'gocontractor',
      secret,
      environment: {
        GOCONTRACTOR_SECRET_ID: secretName,
        GOCONTRACTOR_BASE_URL: gc.baseUrl,
        GOCONTRACTOR_AUTH_HEADER: gc.authHeader,
        GOCONTRACTOR_EXPIRY_WARN_DAYS: String(gc.expiryWarnDays),
      },
      pipeline: this.gocontractor,
    });
    new CfnOutput(this, 'GoContractorStateMachineArn', { value: this.gocontractor.stateMachine.stateMachineArn });
    new CfnOutput(this, 'GoContractorSecretName', { value: secretName });
  }

  private samegoalDelivery(config: DeployConfig): void {
    const sg = config.samegoal;
    const secretName = `${this.stackName}/samegoal-sftp`;
    // The Transfer connector's own secret format; our SFTP Lambda reads the same one.
    const secret = this.vendorSecret('SameGoalSftpSecret', secretName, 'SameGoal SFTP login for the Transfer connector and the SFTP Lambda: JSON {"Username": "...", "PrivateKey": "..."} or {"Username": "...", "Password": "..."}. Set after deploying.', 'The SFTP account is issued by SameGoal; AWS cannot rotate it. Rotate it with SameGoal and put the new value here.');

    let connectorId = '';
    let connectorArn = '';
    if (sg.transport === 'connector') {
      const accessRole = new iam.Role(this, 'SameGoalConnectorAccessRole', {
        assumedBy: new iam.ServicePrincipal('transfer.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
        description: 'Lets the SameGoal SFTP connector read the files it sends and its login secret',
      });
      this.bucket.grantRead(accessRole, 'samegoal/outbox/*');
      this.bucket.grantRead(accessRole, 'samegoal/staging/*');
      secret.grantRead(accessRole);
      const loggingRole = new iam.Role(this, 'SameGoalConnectorLoggingRole', {
        assumedBy: new iam.ServicePrincipal('transfer.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
        description: 'Lets the SameGoal SFTP connector write its transfer logs',
      });
      loggingRole.addToPolicy(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [`arn:${this.partition}:logs:${this.region}:${this.account}:log-group:/aws/transfer/*`],
        }),
      );
      for (const role of [accessRole, loggingRole]) {
        Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason: 'Read-only on the SameGoal outbox and staging prefixes.' });
        Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason: 'The CDK read grant on the SameGoal prefixes.' });
        Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: 'The CDK read grant on the SameGoal prefixes.' });
        for (const prefix of ['samegoal/outbox/*', 'samegoal/staging/*']) {
          Validations.of(role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${prefix}]`,
            reason: 'The files of a delivery have run-time names under this prefix.',
          });
        }
        Validations.of(role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/transfer/*]',
          reason: 'Transfer Family names its log groups /aws/transfer/<connector id>, known only after creation.',
        });
      }
      const connector = new transfer.CfnConnector(this, 'SameGoalConnector', {
        url: sg.sftpUrl,
        accessRole: accessRole.roleArn,
        loggingRole: loggingRole.roleArn,
        sftpConfig: { userSecretId: secret.secretArn, trustedHostKeys: sg.trustedHostKeys },
      });
      connectorId = connector.attrConnectorId;
      connectorArn = connector.attrArn;
    }

    this.samegoal = new PipelineStateMachine(this, 'SameGoalDelivery', {
      pipeline: SAMEGOAL_DELIVERY,
      bucket: this.bucket,
      secret,
      alarmTopic: this.alarmTopic,
      transferConnectorArn: connectorArn || undefined,
      environment: {
        DATA_BUCKET: this.bucket.bucketName,
        SAMEGOAL_SECRET_ID: secretName,
        SAMEGOAL_SFTP_URL: sg.sftpUrl,
        SAMEGOAL_TRUSTED_HOST_KEYS: sg.trustedHostKeys.join('\n'),
        SAMEGOAL_TRANSPORT: sg.transport,
        ...(connectorId ? { SAMEGOAL_CONNECTOR_ID: connectorId } : {}),
        SAMEGOAL_TIME_ZONE: config.timeZone,
        SAMEGOAL_MODE: sg.mode,
        SAMEGOAL_MASS_CHANGE_PERCENT: String(sg.massChangePercent),
      },
    });
    const machine = this.samegoal.stateMachine;
    this.connections.push({
      name: 'samegoal',
      secret,
      environment: { SAMEGOAL_SECRET_ID: secretName, SAMEGOAL_SFTP_URL: sg.sftpUrl, SAMEGOAL_TRUSTED_HOST_KEYS: sg.trustedHostKeys.join('\n') },
      pipeline: this.samegoal,
    });
    this.startOnReady('SameGoal', machine, 'samegoal/outbox/');
    if (sg.schedule) this.schedule('SameGoalNightly', machine, sg.schedule, config.timeZone, 'nightly', { batch: 'nightly' });
    new CfnOutput(this, 'SameGoalStateMachineArn', { value: machine.stateMachineArn });
    new CfnOutput(this, 'SameGoalSecretName', { value: secretName });
  }

  /**
   * An EventBridge Scheduler schedule in the district's time zone. It calls StartExecution
   * itself (the universal target) so the execution gets a name made from the scheduler's
   * invocation id: a retried delivery of the same invocation is then a no-op.
   */
  private schedule(id: string, stateMachine: sfn.StateMachine, expression: string, timeZone: string, namePrefix: string, input: object): void {
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: `Lets EventBridge Scheduler start ${stateMachine.node.id} executions`,
    });
    stateMachine.grantStartExecution(role);
    new scheduler.CfnSchedule(this, id, {
      description: `${stateMachine.node.scope?.node.id ?? id}: ${namePrefix} run (${expression} ${timeZone})`,
      scheduleExpression: expression,
      scheduleExpressionTimezone: timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: 'arn:aws:scheduler:::aws-sdk:sfn:startExecution',
        roleArn: role.roleArn,
        input: JSON.stringify({ StateMachineArn: stateMachine.stateMachineArn, Name: `${namePrefix}-<aws.scheduler.execution-id>`, Input: JSON.stringify(input) }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }
}
