import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSchedule, cronHours, parseDeployConfig } from '../lib/config.js';
import { EtlHubStack, loadVendorInfra } from '../lib/etl-hub-stack.js';

let stack: EtlHubStack;
let template: Template;
let assemblyDir: string;

beforeAll(async () => {
  // The bundles themselves are synthesized and run by test/artifacts.test.ts; here only the template matters.
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-test-')), context: { 'aws:cdk:bundling-stacks': [] } });
  const config = parseDeployConfig(
    JSON.stringify({
      stackName: 'TestHub',
      timeZone: 'America/Chicago',
      alarmEmail: 'data@example.edu',
      gocontractor: { enabled: true },
      samegoal: {
        enabled: true,
        sftpUrl: 'sftp://sftp.example-vendor.test',
        trustedHostKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'],
      },
    }),
    'test.json',
  );
  stack = new EtlHubStack(app, 'TestHub', { config, infra: await loadVendorInfra() });
  template = Template.fromStack(stack);
  assemblyDir = app.synth().directory;
}, 120_000);

/**
 * X-Ray's two actions (active tracing) take no resource, and each function writes its own log
 * group; every function has both, so they are left out of what a policy grants.
 */
const withoutXray = (policy: any) =>
  policy && { ...policy, Properties: { ...policy.Properties, PolicyDocument: { ...policy.Properties.PolicyDocument, Statement: policy.Properties.PolicyDocument.Statement.filter((st: any) => ![st.Action].flat().every((a: string) => a.startsWith('xray:') || a.startsWith('logs:'))) } } };

const policyOf = (fnId: string) => {
  const roles = template.findResources('AWS::IAM::Policy');
  const entry = Object.entries(roles).find(([id]) => id.startsWith(`CampusGroupsExport${fnId}RoleDefaultPolicy`));
  return JSON.stringify(withoutXray(entry?.[1]) ?? {});
};

describe('EtlHubStack', () => {
  it('keeps data in an encrypted, versioned, TLS-only bucket with public access blocked', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: Match.objectLike({}),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({}),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('creates the CampusGroups secret with no value in the template, and passes only its name to the Lambdas', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')) as Array<{ Properties: Record<string, unknown> }>;
    expect(secrets.map((s) => s.Properties.Name).sort()).toEqual(['TestHub/campusgroups', 'TestHub/gocontractor', 'TestHub/samegoal-sftp', 'TestHub/watermark']);
    for (const secret of secrets) expect(secret.Properties.SecretString).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ CAMPUSGROUPS_SECRET_ID: 'TestHub/campusgroups' }) },
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/apiSecret"\s*:/);
  });

  it('loads the state machine from the ASL file with the four functions substituted, logging without execution data', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const machine = Object.values(machines).find((m: any) => m.Properties.StateMachineName === 'TestHub-campusgroups-export') as { Properties: Record<string, any> };
    // The definition is the ASL file itself, shipped as an asset, byte for byte.
    const key = machine.Properties.DefinitionS3Location.Key as string;
    expect(readFileSync(join(assemblyDir, `asset.${key}`), 'utf-8')).toBe(readFileSync('vendors/campusgroups/campusgroups-export.asl.json', 'utf-8'));
    expect(Object.keys(machine.Properties.DefinitionSubstitutions).sort()).toEqual(
      ['ExportPagesFunctionArn', 'PlanExportFunctionArn', 'StartQueryFunctionArn', 'SummarizeFunctionArn'],
    );
    expect(machine.Properties.LoggingConfiguration.IncludeExecutionData).toBe(false);
    expect(machine.Properties.TracingConfiguration.Enabled).toBe(true);
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
  });

  it('schedules the nightly run in the district time zone with a deterministic execution name', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 1 * * ? *)',
      ScheduleExpressionTimezone: 'America/Chicago',
      Target: Match.objectLike({ Arn: 'arn:aws:scheduler:::aws-sdk:sfn:startExecution' }),
    });
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule')).find((x: any) => JSON.stringify(x).includes('nightly-')) as { Properties: { Target: { Input: unknown } } };
    expect(JSON.stringify(schedule.Properties.Target.Input)).toContain('nightly-<aws.scheduler.execution-id>');
  });

  it('alarms to an encrypted SNS topic on failed or timed-out executions', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut' })]),
      AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('AlarmTopic') })],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // The statements that let an alarm reach the topic, not just the wiring: CloudWatch may
    // publish (from this account's alarms only) and use the key.
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'data@example.edu' });
  });

  it('grants each function only what it needs', () => {
    // Summarize only gives the entities' leases back.
    const summarize = policyOf('Summarize');
    expect(summarize).toContain('dynamodb:DeleteItem');
    expect(summarize).not.toContain('s3:');
    expect(summarize).not.toContain('secretsmanager:');
    const startQuery = policyOf('StartQuery');
    expect(startQuery).toContain('secretsmanager:GetSecretValue');
    expect(startQuery).not.toContain('s3:');
    const exportPages = policyOf('ExportPages');
    expect(exportPages).toContain('/campusgroups/*');
    expect(exportPages).toContain('s3:PutObject');
    expect(exportPages).not.toMatch(/"Resource":"\*"/);
    const plan = policyOf('PlanExport');
    expect(plan).toContain('/state/campusgroups/*');
    expect(plan).not.toContain('s3:PutObject');
    // Listing only under its own prefixes, by condition; no bucket-wide List*/GetBucket* anywhere.
    const list = JSON.parse(exportPages).Properties.PolicyDocument.Statement.find((st: any) => st.Action === 's3:ListBucket');
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['campusgroups/*', 'state/campusgroups/*'] } });
    const everyPolicy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(everyPolicy).not.toMatch(/"s3:(List|GetBucket|GetObject|DeleteObject|Abort)\*"/);
    for (const st of Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement)) {
      if ([st.Action].flat().includes('s3:ListBucket')) expect(st.Condition?.StringLike?.['s3:prefix'], JSON.stringify(st)).toBeDefined();
    }
    // Each function writes its own log group only: no AWSLambdaBasicExecutionRole (logs on every group).
    for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role')) as Array<[string, any]>) {
      if (id.startsWith('BucketNotificationsHandler')) continue; // CDK's own custom resource, acknowledged as such
      expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain('AWSLambdaBasicExecutionRole');
    }
    const logs = JSON.parse(JSON.stringify(Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('CampusGroupsExportExportPagesRoleDefaultPolicy'))![1])).Properties.PolicyDocument.Statement.find((st: any) => [st.Action].flat().includes('logs:PutLogEvents'));
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CampusGroupsExportExportPagesLogs/), 'Arn'] });
  });

  it('starts watermark-import when a _READY marker lands, through a Lambda that may only start that machine', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [Match.anyValue()] }, object: { key: [{ wildcard: 'watermark/outbox/*/_READY' }] } },
      },
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', { NotificationConfiguration: { EventBridgeConfiguration: {} } });
    const policies = template.findResources('AWS::IAM::Policy');
    const starter = Object.entries(policies).find(([id]) => id.startsWith('WatermarkStartOnReadyRoleDefaultPolicy'))![1];
    // It may start that machine, and put an event it failed on into the dead-letter queue.
    expect(withoutXray(starter).Properties.PolicyDocument.Statement.map((st: any) => st.Action).sort()).toEqual([['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs:SendMessage', 'states:StartExecution']);
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as any[];
    const wm = machines.find((m) => m.Properties.StateMachineName === 'TestHub-watermark-import');
    expect(Object.keys(wm.Properties.DefinitionSubstitutions).sort()).toEqual([
      'AuthorizeFunctionArn', 'CheckReceiptFunctionArn', 'PollStatusFunctionArn', 'ReleaseBatchFunctionArn', 'SubmitImportFunctionArn', 'ValidateBatchFunctionArn', 'ZipBatchFunctionArn',
    ]);
    // Only the tasks that talk to Watermark can read its secret.
    const watermarkSecretReaders = Object.entries(policies).filter(([id, p]) => id.startsWith('WatermarkImport') && JSON.stringify(p).includes('WatermarkSecret'));
    expect(watermarkSecretReaders.map(([id]) => id.replace(/RoleDefaultPolicy.*/, '')).sort()).toEqual(['WatermarkImportAuthorize', 'WatermarkImportPollStatus', 'WatermarkImportSubmitImport']);
  });

  it('deploys the SameGoal SFTP connector with its secret and pinned host keys, and lets only the transfer tasks use it', () => {
    template.hasResourceProperties('AWS::Transfer::Connector', {
      Url: 'sftp://sftp.example-vendor.test',
      SftpConfig: { UserSecretId: Match.anyValue(), TrustedHostKeys: [Match.stringLikeRegexp('^ssh-ed25519 ')] },
      LoggingRole: Match.anyValue(),
      AccessRole: Match.anyValue(),
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const transferUsers = Object.entries(policies)
      .filter(([, p]) => JSON.stringify(p).includes('transfer:StartFileTransfer'))
      .map(([id]) => id.replace(/RoleDefaultPolicy.*/, ''))
      .sort();
    expect(transferUsers).toEqual(['SameGoalDeliveryCheckTransfers', 'SameGoalDeliveryStartTransfers']);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { bucket: Match.anyValue(), object: { key: [{ wildcard: 'samegoal/outbox/*/_READY' }] } } }),
    });
  });

  it('deploys gocontractor-export with a nightly schedule, its key readable only by the tasks that call GoContractor and the checks', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as any[];
    expect(machines.map((m) => m.Properties.StateMachineName)).toContain('TestHub-gocontractor-export');
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    expect(schedules.some((x) => x.Properties.ScheduleExpression === 'cron(0 4 * * ? *)')).toBe(true);
    const policies = template.findResources('AWS::IAM::Policy');
    const readers = Object.entries(policies)
      .filter(([, p]) => JSON.stringify(p).includes('GoContractorSecret'))
      .map(([id]) => id.replace(/RoleDefaultPolicy.*/, ''))
      .sort();
    // …and the daily connection checks.
    expect(readers).toEqual(['CheckConnections', 'GoContractorExportGcExportPages', 'GoContractorExportGcPlanExport']);
  });

  it('runs the connection checks daily, alarms per connection, and draws a dashboard per pipeline', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DOCTOR_CONNECTIONS: 'campusgroups,watermark,samegoal,gocontractor' }) },
    });
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    expect(schedules.some((x) => x.Properties.ScheduleExpression === 'cron(0 7 * * ? *)' && x.Properties.ScheduleExpressionTimezone === 'America/Chicago')).toBe(true);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    for (const c of ['campusgroups', 'watermark', 'samegoal', 'gocontractor']) {
      const mine = alarms.filter((a) => JSON.stringify(a.Properties.Dimensions ?? []).includes(`"Value":"${c}"`));
      expect(mine.map((a) => a.Properties.MetricName).sort(), c).toEqual(['ConnectionHealthy', 'ConnectionWarning']);
      expect(mine.find((a) => a.Properties.MetricName === 'ConnectionHealthy').Properties.TreatMissingData).toBe('breaching');
    }
    const board = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const title of ['campusgroups-export: runs', 'watermark-import: records and files moved', 'samegoal-delivery: duration', 'gocontractor-export: runs', 'Connection checks']) {
      expect(board).toContain(title);
    }
    // The checks read the four secrets and nothing else.
    const policies = template.findResources('AWS::IAM::Policy');
    const checker = Object.entries(policies).find(([id]) => id.startsWith('CheckConnectionsRoleDefaultPolicy'))![1] as any;
    expect(new Set(withoutXray(checker).Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat()))).toEqual(
      // With the hub's key (the default): its Decrypt for the secrets, and its data key for the dead-letter queue.
      new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'sqs:SendMessage', 'kms:Decrypt', 'kms:GenerateDataKey']),
    );
  });

  it('sends every trigger and schedule that cannot start a run to a dead-letter queue that alarms, and alarms when a scheduled pipeline has not succeeded', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    expect(rules.length).toBeGreaterThanOrEqual(2);
    for (const rule of rules) for (const target of rule.Properties.Targets) expect(target.DeadLetterConfig?.Arn, JSON.stringify(target)).toBeDefined();
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    for (const schedule of schedules) expect(schedule.Properties.Target.DeadLetterConfig?.Arn).toBeDefined();
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 86_400, KmsMasterKeyId: Match.anyValue() });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms.some((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')).toBe(true);
    expect(alarms.filter((a) => a.Properties.MetricName === 'Errors' && /StartOnReady/.test(JSON.stringify(a.Properties.Dimensions)))).toHaveLength(2);
    const heartbeats = alarms.filter((a) => a.Properties.MetricName === 'ExecutionsSucceeded');
    // The nightly CampusGroups and GoContractor schedules (Watermark and SameGoal have none in this config).
    expect(heartbeats).toHaveLength(2);
    for (const h of heartbeats) expect(h.Properties).toMatchObject({ TreatMissingData: 'breaching', ComparisonOperator: 'LessThanThreshold', Period: 26 * 3600 });
  });

  it('passes cdk-nag AwsSolutions with every remaining finding acknowledged', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('passes cdk-nag Serverless with every remaining finding acknowledged', () => {
    const report = new ServerlessChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('deployment config', () => {
  it('refuses a schedule inside 02:00–02:59 local', () => {
    expect(() => checkSchedule('c.json', 'campusgroups.schedule', 'cron(15 2 * * ? *)')).toThrow(
      "c.json: campusgroups.schedule 'cron(15 2 * * ? *)' fires between 02:00 and 02:59 local time",
    );
    expect(() => checkSchedule('c.json', 'campusgroups.schedule', 'cron(0 0-3 * * ? *)')).toThrow(/02:00 and 02:59/);
    expect(() => checkSchedule('c.json', 'campusgroups.schedule', 'cron(0 */2 * * ? *)')).toThrow(/02:00 and 02:59/);
    expect(() => checkSchedule('c.json', 'campusgroups.schedule', 'cron(0 3,23 * * ? *)')).not.toThrow();
    expect(() => checkSchedule('c.json', 'campusgroups.schedule', 'rate(1 day)')).toThrow(/must be a cron/);
    expect([...cronHours('1-5/2')]).toEqual([1, 3, 5]);
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, /timeZone must be an IANA time zone/],
    [{ timeZone: 'UTC', campusgroups: { concurrency: 0 } }, /campusgroups.concurrency must be an integer from 1 to 40, got 0/],
    [{ timeZone: 'UTC', campusgroups: { baseUrl: 'http://insecure' } }, /campusgroups.baseUrl must be an https URL/],
    [{ timeZone: 'UTC', campusgroups: { shedule: 'x' } }, /campusgroups.shedule is not a known setting/],
    [{ timeZone: 'UTC', alarmEmail: 'nobody' }, /alarmEmail must be an email address/],
    [{ timeZone: 'UTC', doctorSchedule: 'cron(0 2 * * ? *)' }, /doctorSchedule 'cron\(0 2 \* \* \? \*\)' fires between 02:00 and 02:59/],
    [{ timeZone: 'UTC', watermark: { audience: 'api.platform.watermarkinsights.com' } }, /watermark.audience must be an https URL/],
    [{ timeZone: 'UTC', samegoal: { enabled: true, sftpUrl: 'sftp://x.test' } }, /samegoal.trustedHostKeys needs at least one host key/],
    [{ timeZone: 'UTC', samegoal: { sftpUrl: 'https://x.test' } }, /samegoal.sftpUrl must be sftp:\/\/host/],
    [{ timeZone: 'UTC', watermark: { schedule: 'cron(30 2 * * ? *)' } }, /watermark.schedule 'cron\(30 2 \* \* \? \*\)' fires between 02:00 and 02:59/],
  ])('names the bad setting in %j', (config, message) => {
    expect(() => parseDeployConfig(JSON.stringify(config), 'deploy.json')).toThrow(message);
  });

  describe('encryption', () => {
    const synth = async (encryption?: string) => {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-kms-')), context: { 'aws:cdk:bundling-stacks': [] } });
      const config = parseDeployConfig(JSON.stringify({ stackName: 'KeyHub', timeZone: 'UTC', gocontractor: { enabled: true }, ...(encryption ? { encryption } : {}) }), 'k.json');
      return Template.fromStack(new EtlHubStack(app, 'KeyHub', { config, infra: await loadVendorInfra() }));
    };
    const keyed = (t: Template) => ({
      bucket: JSON.stringify(Object.values(t.findResources('AWS::S3::Bucket')).map((b: any) => b.Properties.BucketEncryption)),
      logGroups: Object.values(t.findResources('AWS::Logs::LogGroup')).map((g: any) => g.Properties.KmsKeyId),
      secrets: Object.values(t.findResources('AWS::SecretsManager::Secret')).map((x: any) => x.Properties.KmsKeyId),
      queues: Object.values(t.findResources('AWS::SQS::Queue')).map((q: any) => q.Properties.KmsMasterKeyId),
      table: Object.values(t.findResources('AWS::DynamoDB::GlobalTable')).map((x: any) => [x.Properties.SSESpecification, x.Properties.Replicas[0].SSESpecification]),
    });

    it("puts the data, logs, secrets, queue and table under the hub's own key by default, which CloudWatch Logs may use for this account's log groups only", async () => {
      const t = await synth();
      const k = keyed(t);
      const hubKey = { 'Fn::GetAtt': [expect.stringMatching(/^AlarmTopicKey/), 'Arn'] };
      expect(k.bucket).toContain('"SSEAlgorithm":"aws:kms"');
      expect(k.bucket).toContain('"BucketKeyEnabled":true');
      // The access-log bucket stays SSE-S3: S3 server access logging cannot deliver to a KMS-encrypted bucket.
      expect(k.bucket).toContain('"SSEAlgorithm":"AES256"');
      expect(k.logGroups.length).toBeGreaterThan(3);
      for (const id of [...k.logGroups, ...k.secrets, ...k.queues]) expect(id).toEqual(hubKey);
      expect(k.table).toEqual([[{ SSEEnabled: true, SSEType: 'KMS' }, { KMSMasterKeyId: hubKey }]]);
      const policy = JSON.stringify(Object.values(t.findResources('AWS::KMS::Key'))[0]);
      expect(policy).toContain('"kms:EncryptionContext:aws:logs:arn"');
      expect(Object.keys(t.findResources('AWS::KMS::Key'))).toHaveLength(1);
    });

    it("uses AWS's keys with encryption 'aws-managed'; the alarm topic keeps the hub's key", async () => {
      const t = await synth('aws-managed');
      const k = keyed(t);
      expect(k.bucket).not.toContain('aws:kms');
      for (const id of [...k.logGroups, ...k.secrets, ...k.queues]) expect(id).toBeUndefined();
      expect(k.table).toEqual([[undefined, undefined]]);
      t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    });

    it("uses the district's own key when given its ARN", async () => {
      const arn = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
      const k = keyed(await synth(arn));
      expect(k.bucket).toContain(arn);
      for (const id of [...k.logGroups, ...k.secrets, ...k.queues]) expect(id).toBe(arn);
      expect(k.table).toEqual([[{ SSEEnabled: true, SSEType: 'KMS' }, { KMSMasterKeyId: arn }]]);
    });

    it('refuses anything else, naming the setting', () => {
      expect(() => parseDeployConfig(JSON.stringify({ timeZone: 'UTC', encryption: 'sse-s3' }), 'k.json')).toThrow(/k\.json: encryption must be 'kms', 'aws-managed' or a KMS key ARN/);
    });
  });
});
