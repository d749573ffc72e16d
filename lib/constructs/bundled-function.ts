import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/**
 * A handler from lambdas/, bundled by the local esbuild into one ESM file with our pinned
 * SDK, on arm64 and the current Node runtime, with its own log group.
 */
export function bundledFunction(
  scope: Construct,
  id: string,
  props: {
    entry: string;
    timeoutSeconds: number;
    memoryMb: number;
    environment: Record<string, string>;
    /** For a function invoked asynchronously (EventBridge, Scheduler): where its failed events go. */
    deadLetterQueue?: import('aws-cdk-lib/aws-sqs').IQueue;
    /** Encrypts its log group (the hub's data key), when there is one. */
    encryptionKey?: import('aws-cdk-lib/aws-kms').IKey;
  },
): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
    ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
  });
  // Its own role, writing to its own log group only (AWSLambdaBasicExecutionRole would allow every log group).
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `The ${id} function` });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  const fn = new NodejsFunction(scope, id, {
    role,
    entry: join(PROJECT_ROOT, props.entry),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memoryMb,
    timeout: Duration.seconds(props.timeoutSeconds),
    logGroup,
    // Active tracing: Powertools Tracer's segments (handler, SDK calls, vendor calls) reach X-Ray.
    tracing: lambda.Tracing.ACTIVE,
    ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      minify: true,
      sourceMap: true,
      mainFields: ['module', 'main'],
      // ESM bundles of CommonJS dependencies need a require(), and their __dirname/__filename
      // (ssh2's poly1305 loader reads both at import) are import.meta's in ESM.
      banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
      forceDockerBundling: false,
      // Bundle our pinned SDK (lib-storage included) rather than rely on the runtime's copy. ssh2's
      // optional native add-ons stay out: built for this machine, not Lambda's arm64; ssh2 falls back to JS.
      externalModules: ['cpu-features', '*.node'],
    },
  });
  // Lambda sends a failed asynchronous event with the function's role (CDK grants sqs:SendMessage); an encrypted queue needs its key too.
  props.deadLetterQueue?.encryptionMasterKey?.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
  if (!props.deadLetterQueue) {
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously by its state machine, which retries and catches its errors; a function dead-letter queue only serves asynchronous invocations.',
    });
  }
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: "Active tracing: X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions.",
  });
  return fn;
}
