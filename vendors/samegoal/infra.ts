import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as transfer from 'aws-cdk-lib/aws-transfer';
import type { VendorInfra } from '../../lambdas/connector.js';
import { CONNECTOR_ID_ENV } from './config.js';

/**
 * The AWS Transfer Family SFTP connector SameGoal's files go through (transport `connector`):
 * it logs in with the same secret as the SFTP Lambda, pins the host keys, reads only the
 * outbox and staging prefixes, and logs to /aws/transfer/.
 */
export const infra: VendorInfra = {
  deploy(scope, { secret, settings, grantData }): ReturnType<VendorInfra['deploy']> {
    const sg = settings as { transport: string; sftpUrl: string; trustedHostKeys: string[] };
    if (sg.transport !== 'connector') return { environment: {} };
    const stack = Stack.of(scope);
    const assumedBy = new iam.ServicePrincipal('transfer.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } });
    const accessRole = new iam.Role(scope, 'SameGoalConnectorAccessRole', { assumedBy, description: 'Lets the SameGoal SFTP connector read the files it sends and its login secret' });
    // Transfer Family: the access role "provides read and write access to the parent directory of the
    // file location" sent; its example policy adds s3:GetBucketLocation. Nothing outside these prefixes.
    const prefixes = ['samegoal/outbox/*', 'samegoal/staging/*'];
    grantData(accessRole, { read: prefixes, write: prefixes }, ['s3:GetBucketLocation']);
    secret.grantRead(accessRole);
    const loggingRole = new iam.Role(scope, 'SameGoalConnectorLoggingRole', { assumedBy, description: 'Lets the SameGoal SFTP connector write its transfer logs' });
    loggingRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/transfer/*`],
      }),
    );
    Validations.of(loggingRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/transfer/*]',
      reason: 'Transfer Family names its log groups /aws/transfer/<connector id>, known only after creation.',
    });
    const connector = new transfer.CfnConnector(scope, 'SameGoalConnector', {
      url: sg.sftpUrl,
      accessRole: accessRole.roleArn,
      loggingRole: loggingRole.roleArn,
      sftpConfig: { userSecretId: secret.secretArn, trustedHostKeys: sg.trustedHostKeys },
    });
    return { environment: { [CONNECTOR_ID_ENV]: connector.attrConnectorId }, transferConnectorArn: connector.attrArn };
  },
};
