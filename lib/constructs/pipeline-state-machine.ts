import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { substitutionOf, type PipelineSpec } from '../../lambdas/connector.js';
import { alarmToTopic } from './alarm.js';
import { bundledFunction, PROJECT_ROOT } from './bundled-function.js';
import { grantData } from './data-access.js';


export interface PipelineStateMachineProps {
  pipeline: PipelineSpec;
  bucket: s3.IBucket;
  secret?: secretsmanager.ISecret;
  /** The state table of leases, for functions with `state` access. */
  stateTable?: dynamodb.ITableV2;
  /** Environment for every function: names and numbers, never a secret value. */
  environment: Record<string, string>;
  alarmTopic: sns.ITopic;
  /** The Transfer Family connector the pipeline's `transfer` functions may start transfers on. */
  transferConnectorArn?: string;
  /** Encrypts the log groups, when the hub has a data key. */
  encryptionKey?: import('aws-cdk-lib/aws-kms').IKey;
}

/**
 * One pipeline: its Lambdas (bundled by the local esbuild), its state machine loaded from the
 * vendor's ASL file with the functions' ARNs substituted, and an alarm on failed or timed-out
 * executions. Each function gets exactly the access its connector declares for it.
 */
export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, NodejsFunction> = {};

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    const { pipeline, bucket, secret } = props;
    const substitutions: Record<string, string> = {};

    for (const spec of pipeline.functions) {
      const name = spec.id;
      const fn = bundledFunction(this, name, {
        entry: spec.entry,
        timeoutSeconds: spec.timeoutSeconds,
        memoryMb: spec.memoryMb,
        environment: props.environment,
        ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
      });
      this.functions[name] = fn;
      substitutions[substitutionOf(spec)] = fn.functionArn;

      if (spec.access.secret) {
        if (!secret) throw new Error(`${pipeline.name}: ${name} needs a secret and none was given`);
        secret.grantRead(fn);
      }
      if (spec.access.state) {
        if (!props.stateTable) throw new Error(`${pipeline.name}: ${name} needs the state table and none was given`);
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'], resources: [props.stateTable.tableArn] }));
      }
      if (spec.access.transfer) {
        if (!props.transferConnectorArn) throw new Error(`${pipeline.name}: ${name} needs a Transfer connector and none was given`);
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['transfer:StartFileTransfer', 'transfer:ListFileTransferResults'], resources: [props.transferConnectorArn] }));
      }
      grantData(this, bucket, fn, { read: spec.access.readData, write: spec.access.writeData, delete: spec.access.deleteData });
    }

    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${pipeline.name}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${Stack.of(this).stackName}-${pipeline.name}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(join(PROJECT_ROOT, pipeline.asl)),
      definitionSubstitutions: substitutions,
      // Execution data holds no secret, but it is school data: keep it out of the logs.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    for (const fn of Object.values(this.functions)) {
      fn.grantInvoke(this.stateMachine);
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: 'The CDK invoke grant covers the function and its versions; the state machine calls these functions only.',
      });
    }
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Step Functions log delivery and X-Ray actions do not support resource-level permissions.',
    });

    const failures = new cloudwatch.MathExpression({
      expression: 'failed + timedOut',
      usingMetrics: {
        failed: this.stateMachine.metricFailed({ statistic: 'Sum', period: Duration.minutes(5) }),
        timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum', period: Duration.minutes(5) }),
      },
      label: `${pipeline.name} failed or timed-out executions`,
      period: Duration.minutes(5),
    });
    alarmToTopic(this, 'FailedExecutionsAlarm', props.alarmTopic, {
      description: `${pipeline.name}: an execution failed or timed out. See the execution's error and cause in the Step Functions console.`,
      metric: failures,
      when: 'atLeastOne',
    });
  }
}
