import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { DataAccess } from '../../lambdas/connector.js';

/**
 * Least privilege on the data bucket, instead of CDK's grantRead/grantPut (which add `s3:List*`
 * and `s3:GetBucket*` on the whole bucket): GetObject, PutObject/AbortMultipartUpload and
 * DeleteObject on the given prefixes only, and ListBucket only with an `s3:prefix` condition
 * naming the same prefixes, so no function (nor the Transfer connector) can list another
 * vendor's keys. With a customer-managed bucket key, the matching use of the key.
 */
export function grantData(scope: Construct, bucket: s3.IBucket, grantee: iam.IGrantable & Construct, access: DataAccess, extraBucketActions: string[] = []): void {
  const objects = (patterns: string[]) => patterns.map((p) => bucket.arnForObjects(p));
  const read = access.read ?? [];
  const write = access.write ?? [];
  const remove = access.delete ?? [];
  const statements: iam.PolicyStatement[] = [];
  if (read.length > 0) {
    statements.push(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects(read) }));
    statements.push(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': read } } }));
  }
  if (extraBucketActions.length > 0) statements.push(new iam.PolicyStatement({ actions: extraBucketActions, resources: [bucket.bucketArn] }));
  if (write.length > 0) statements.push(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: objects(write) }));
  if (remove.length > 0) statements.push(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: objects(remove) }));
  for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  // SSE-KMS: reading decrypts; writing asks for a data key (and decrypts it again for a multipart upload).
  if (bucket.encryptionKey) {
    if (write.length > 0) bucket.encryptionKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    else if (read.length > 0) bucket.encryptionKey.grant(grantee, 'kms:Decrypt');
  }
  const bucketId = Stack.of(scope).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  // The finding is on the role's policy: a function's role is beside it, not inside it.
  const holder = (grantee as { role?: Construct }).role ?? grantee;
  for (const pattern of new Set([...read, ...write, ...remove])) {
    Validations.of(holder).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${pattern}]`,
      reason: `Objects under the ${pattern.replace(/\*$/, '')} prefix of the data bucket only, whose keys are made at run time.`,
    });
  }
}
