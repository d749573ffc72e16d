import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { Connector, VendorInfra } from '../lambdas/connector.js';
import { COMMON_ENV, secretIdEnv, settingsToEnv } from '../lambdas/settings.js';
import { VENDORS } from '../vendors/index.js';
import type { DeployConfig } from './config.js';
import { alarmToTopic } from './constructs/alarm.js';
import { bundledFunction } from './constructs/bundled-function.js';
import { grantData } from './constructs/data-access.js';
import { PipelineStateMachine } from './constructs/pipeline-state-machine.js';

/** Not a state machine task: started by EventBridge when a _READY marker lands, it starts a machine. */
export const READY_TRIGGER_ENTRY = 'lambdas/handlers/start-on-ready.ts';
/** The daily connection checks: `etl doctor` as a Lambda. */
export const CHECK_CONNECTIONS_ENTRY = 'doctor/check-connections.ts';

const pascal = (text: string) => text.split(/[-_ ]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

/** Each vendor's extra CDK resources, loaded before synth (a stack is built synchronously). */
export async function loadVendorInfra(vendors: Connector[] = VENDORS): Promise<Record<string, VendorInfra>> {
  const out: Record<string, VendorInfra> = {};
  for (const v of vendors) if (v.infra) out[v.name] = ((await import(v.infra.href)) as { infra: VendorInfra }).infra;
  return out;
}

export interface EtlHubStackProps extends StackProps {
  config: DeployConfig;
  /** From loadVendorInfra(). */
  infra: Record<string, VendorInfra>;
  vendors?: Connector[];
}

interface DeployedConnection {
  name: string;
  secret: secretsmanager.ISecret;
  /** What the daily checks need of it: the secret's name and the runtime settings. */
  environment: Record<string, string>;
}

/** The whole hub in one stack: storage, secrets, alarms, and each enabled vendor's pipelines, from the vendor list. */
export class EtlHubStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly alarmTopic: sns.Topic;
  /** Leases (single-flight per batch and per entity), written with conditions. */
  readonly stateTable: dynamodb.TableV2;
  /** Where a trigger's or schedule's event goes when it could not start a run; an alarm watches it. */
  private triggerDeadLetters?: sqs.Queue;
  readonly pipelines: Record<string, PipelineStateMachine> = {};
  private readonly connections: DeployedConnection[] = [];

  /** A scheduled pipeline with no success in this many hours alarms. */
  private readonly heartbeatHours: number;
  /** What encrypts the data, logs, secrets, queue and table: the hub's key, a key of the district's, or none (AWS's keys). */
  readonly dataKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: EtlHubStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.heartbeatHours = config.heartbeatHours;

    // The hub's own customer-managed key (rotated yearly): always the alarm topic's, and with
    // `encryption: "kms"` (the default) also the data's. The construct id stays what it was.
    const alarmKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'The ETL hub key: encrypts the alarm topic, and with encryption "kms" the data bucket, logs, secrets, queue and state table.',
      enableKeyRotation: true,
    });
    // enforceSSL replaces the topic's default policy with a deny-only one: without these
    // statements CloudWatch could not publish an alarm (nor decrypt with the key to do so).
    const sameAccount = { StringEquals: { 'aws:SourceAccount': this.account } };
    // CloudWatch (alarms → topic), EventBridge (rules → dead-letter queue), SNS (e-mail → dead-letter queue).
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'sns.amazonaws.com']) {
      alarmKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Let${service.split('.')[0]}UseTheKey`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: sameAccount,
        }),
      );
    }
    if (config.encryption === 'kms') {
      // CloudWatch Logs encrypts this account's log groups with it, and nothing else.
      alarmKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'LetCloudWatchLogsUseTheKey',
          principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` } },
        }),
      );
      this.dataKey = alarmKey;
    } else if (config.encryption !== 'aws-managed') {
      this.dataKey = kms.Key.fromKeyArn(this, 'DataKey', config.encryption);
    }

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'DataBucket', {
      // Server access logs cannot go to a bucket under a customer-managed key; the data can.
      ...(this.dataKey ? { encryption: s3.BucketEncryption.KMS, encryptionKey: this.dataKey, bucketKeyEnabled: true } : { encryption: s3.BucketEncryption.S3_MANAGED }),
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

    this.stateTable = new dynamodb.TableV2(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (this.dataKey) {
      // TableEncryptionV2.customerManagedKey needs a region-bound stack; the hub stays region-agnostic,
      // so the one replica's key is set on the template itself.
      const table = this.stateTable.node.defaultChild as dynamodb.CfnGlobalTable;
      table.addPropertyOverride('SSESpecification', { SSEEnabled: true, SSEType: 'KMS' });
      table.addPropertyOverride('Replicas.0.SSESpecification', { KMSMasterKeyId: this.dataKey.keyArn });
    }

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'School ETL hub alarms', masterKey: alarmKey, enforceSSL: true });
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'LetCloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: { ...sameAccount, ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` } },
      }),
    );
    // An alarm e-mail SNS cannot deliver lands in the dead-letter queue (whose own alarm then tells the topic).
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail, { deadLetterQueue: this.deadLetters() }));

    for (const vendor of props.vendors ?? VENDORS) {
      const settings = config.vendors[vendor.name];
      if (settings?.enabled) this.deployVendor(vendor, settings, config, props.infra[vendor.name]);
    }

    if (this.connections.length > 0) this.connectionChecks(config);
    this.dashboard();

    new CfnOutput(this, 'DataBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }

  /**
   * A vendor: its secret (created empty), its own resources, and per pipeline the functions,
   * the state machine, the schedule and the _READY trigger its connector declares. Every
   * function gets the data bucket, the time zone, the secret's name and the vendor's runtime
   * settings as environment variables: names and numbers, never a secret value.
   */
  private deployVendor(vendor: Connector, settings: Record<string, unknown>, config: DeployConfig, infra: VendorInfra | undefined): void {
    const title = pascal(vendor.title);
    const secretName = `${this.stackName}/${vendor.secret.name}`;
    const secret = this.vendorSecret(`${title}Secret`, secretName, vendor.secret.description, vendor.secret.rotation);
    const extra = infra?.deploy(this, { bucket: this.bucket, secret, settings, grantData: (grantee, access, extra) => grantData(this, this.bucket, grantee, access, extra) }) ?? { environment: {} };
    const runtime = { [secretIdEnv(vendor.settings.prefix)]: secretName, ...settingsToEnv(vendor.settings, settings) };
    const environment = {
      [COMMON_ENV.bucket]: this.bucket.bucketName,
      [COMMON_ENV.timeZone]: config.timeZone,
      [COMMON_ENV.stateTable]: this.stateTable.tableName,
      ...runtime,
      ...extra.environment,
    };
    for (const pipeline of vendor.pipelines) {
      const id = `${title}${pascal(pipeline.name.replace(`${vendor.name}-`, ''))}`;
      const deployed = new PipelineStateMachine(this, id, {
        pipeline,
        bucket: this.bucket,
        secret,
        stateTable: this.stateTable,
        alarmTopic: this.alarmTopic,
        environment,
        transferConnectorArn: extra.transferConnectorArn,
        ...(this.dataKey ? { encryptionKey: this.dataKey } : {}),
      });
      this.pipelines[pipeline.name] = deployed;
      const machine = deployed.stateMachine;
      if (pipeline.readyTrigger) this.startOnReady(title, machine, pipeline.readyTrigger.outbox);
      const cron = pipeline.schedule ? (settings[pipeline.schedule.setting] as string | null) : null;
      if (pipeline.schedule && cron) this.schedule(`${title}${pascal(pipeline.schedule.namePrefix)}`, machine, cron, config.timeZone, pipeline.schedule.namePrefix, pipeline.schedule.input);
      new CfnOutput(this, `${title}StateMachineArn`, { value: machine.stateMachineArn });
    }
    new CfnOutput(this, `${title}SecretName`, { value: secretName });
    this.connections.push({ name: vendor.name, secret, environment: runtime });
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
      // EventBridge invokes it asynchronously: an event it fails on after Lambda's own retries lands here too.
      deadLetterQueue: this.deadLetters(),
      ...(this.dataKey ? { encryptionKey: this.dataKey } : {}),
    });
    machine.grantStartExecution(trigger);
    new events.Rule(this, `${id}ReadyRule`, {
      description: `A _READY marker under ${outbox}<batch>/ starts ${machine.node.scope?.node.id} for that batch`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.bucket.bucketName] }, object: { key: [{ wildcard: `${outbox}*/_READY` }] } },
      },
      targets: [new eventsTargets.LambdaFunction(trigger, { retryAttempts: 4, maxEventAge: Duration.hours(2), deadLetterQueue: this.deadLetters() })],
    });
    alarmToTopic(this, `${id}StartOnReadyErrorsAlarm`, this.alarmTopic, {
      description: `${id}: the _READY trigger failed to start a run (see its log group, and the TriggerDeadLetters queue).`,
      metric: trigger.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      when: 'atLeastOne',
    });
  }

  /**
   * One dead-letter queue for every trigger and schedule (encrypted, 14 days), created with the
   * first of them, and an alarm as soon as anything is in it: a run that never started.
   */
  private deadLetters(): sqs.Queue {
    if (this.triggerDeadLetters) return this.triggerDeadLetters;
    const queue = new sqs.Queue(this, 'TriggerDeadLetters', {
      ...(this.dataKey ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.dataKey } : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the triggers and schedules.' });
    Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself the dead-letter queue of the triggers, schedules and alarm e-mails; its depth alarms.' });
    alarmToTopic(this, 'TriggerDeadLettersAlarm', this.alarmTopic, {
      description: 'A _READY trigger or a schedule could not start a run: its event is in the TriggerDeadLetters queue. Start the run by hand, then purge the message.',
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      when: 'atLeastOne',
    });
    this.triggerDeadLetters = queue;
    return queue;
  }

  /** A schedule's role may put the event it could not deliver into the dead-letter queue (and use its key). */
  private mayDeadLetter(role: iam.Role): void {
    const queue = this.deadLetters();
    queue.grant(role, 'sqs:SendMessage');
    queue.encryptionMasterKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /**
   * A connection's secret: created without a value (the operator puts it in after deploying), and
   * not rotated by AWS because the vendor issues it; `reason` says where it is rotated instead.
   */
  private vendorSecret(id: string, secretName: string, description: string, reason: string): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, { secretName, description, ...(this.dataKey ? { encryptionKey: this.dataKey } : {}) });
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
      entry: CHECK_CONNECTIONS_ENTRY,
      timeoutSeconds: 120,
      memoryMb: 256,
      environment: Object.assign({ DOCTOR_CONNECTIONS: this.connections.map((c) => c.name).join(','), [COMMON_ENV.timeZone]: config.timeZone }, ...this.connections.map((c) => c.environment)),
      deadLetterQueue: this.deadLetters(),
      ...(this.dataKey ? { encryptionKey: this.dataKey } : {}),
    });
    for (const c of this.connections) c.secret.grantRead(fn);
    const role = new iam.Role(this, 'CheckConnectionsScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'Lets EventBridge Scheduler run the daily connection checks',
    });
    fn.grantInvoke(role);
    this.mayDeadLetter(role);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: 'The CDK invoke grant covers the function and its versions; the schedule invokes this function only.',
    });
    new scheduler.CfnSchedule(this, 'CheckConnectionsDaily', {
      description: 'Daily connection checks (etl doctor)',
      scheduleExpression: config.doctorSchedule,
      scheduleExpressionTimezone: config.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: fn.functionArn, roleArn: role.roleArn, retryPolicy: { maximumRetryAttempts: 2 }, deadLetterConfig: { arn: this.deadLetters().queueArn } },
    });
    for (const c of this.connections) {
      const metric = (name: string, statistic: string) =>
        new cloudwatch.Metric({ namespace: 'SchoolEtlHub', metricName: name, dimensionsMap: { Connection: c.name }, statistic, period: Duration.days(1) });
      alarmToTopic(this, `${c.name}ConnectionAlarm`, this.alarmTopic, {
        description: `${c.name}: a connection check failed, or the checks did not run. Run 'etl doctor' for the line and the fix to try.`,
        metric: metric('ConnectionHealthy', 'Minimum'),
        when: 'noneWithMissingBreaching',
      });
      alarmToTopic(this, `${c.name}ConnectionWarningAlarm`, this.alarmTopic, {
        description: `${c.name}: a connection check warned (a key expires soon). Run 'etl doctor' for the details.`,
        metric: metric('ConnectionWarning', 'Maximum'),
        when: 'atLeastOne',
      });
    }
  }

  /** Per pipeline: runs succeeded and failed, what it moved, how long it took; and the connection checks. */
  private dashboard(): void {
    const pipelines = Object.entries(this.pipelines);
    if (pipelines.length === 0) return;
    const board = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${this.stackName}-etl-hub`, defaultInterval: Duration.days(14) });
    for (const [key, p] of pipelines) {
      const moved = (metricName: string) =>
        new cloudwatch.Metric({ namespace: 'SchoolEtlHub', metricName, dimensionsMap: { Pipeline: key }, statistic: 'Sum', period: Duration.days(1) });
      board.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${key}: runs`,
          left: [p.stateMachine.metricSucceeded({ period: Duration.days(1), statistic: 'Sum' }), p.stateMachine.metricFailed({ period: Duration.days(1), statistic: 'Sum' })],
          width: 8,
        }),
        new cloudwatch.GraphWidget({ title: `${key}: records and files moved`, left: [moved('RecordsMoved')], right: [moved('FilesMoved')], width: 8 }),
        new cloudwatch.GraphWidget({ title: `${key}: duration`, left: [p.stateMachine.metricTime({ period: Duration.days(1), statistic: 'Maximum' })], width: 8 }),
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
    const dlq = this.deadLetters();
    this.mayDeadLetter(role);
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
        deadLetterConfig: { arn: dlq.queueArn },
      },
    });
    // The run that never happened: no execution of this machine succeeded in the heartbeat window.
    alarmToTopic(this, `${id}HeartbeatAlarm`, this.alarmTopic, {
      description: `${stateMachine.node.scope?.node.id ?? id}: no execution succeeded in the last ${this.heartbeatHours} hours although it is scheduled (${expression} ${timeZone}).`,
      metric: stateMachine.metricSucceeded({ period: Duration.hours(this.heartbeatHours), statistic: 'Sum' }),
      when: 'noneWithMissingBreaching',
    });
  }
}
