import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VendorLocal } from '../../lambdas/connector.js';
import { settingsToEnv } from '../../lambdas/settings.js';
import { CONNECTOR_ID_ENV } from './config.js';
import { sampleDelivery } from './sandbox/sample-batch.js';
import { SFTP_SANDBOX_PASSWORD, SFTP_SANDBOX_USER, SftpSandbox, type SftpSandboxOptions } from './sandbox/sftp-server.js';
import { settings } from './settings.js';

export interface SameGoalHandle {
  url: string;
  /** The in-process SFTP server and the folder it serves, when no server is configured. */
  sftp?: SftpSandbox;
  root?: string;
}

/** The local Transfer endpoint's connector, as the stack's CfnConnector is in AWS. */
export const LOCAL_CONNECTOR_ID = 'c-0123456789abcdef0';

/** Locally: an SFTP server over a temporary folder (or the one the config names), and a connector to it. */
export const local: VendorLocal<SameGoalHandle> = {
  configFields: {
    Username: `the SFTP user (default \`${SFTP_SANDBOX_USER}\`)`,
    Password: "the SFTP password (default: the sandbox's fake one)",
    PrivateKey: 'an OpenSSH private key, instead of a password',
  },
  async start({ config, port, sandbox, secretId, transfer }) {
    let url = config.settings.sftpUrl as string | undefined;
    let hostKeys = config.settings.trustedHostKeys as string[] | undefined;
    let server: SftpSandbox | undefined;
    let root: string | undefined;
    let secret: Record<string, string>;
    if (url) {
      if (!hostKeys?.length) throw new Error('samegoal.trustedHostKeys is needed when samegoal.sftpUrl is set: the server\'s host key, never trusted on first use');
      secret = { ...config.secret };
    } else {
      root = mkdtempSync(join(tmpdir(), 'samegoal-sftp-'));
      server = new SftpSandbox({ root, port, ...(sandbox as Partial<SftpSandboxOptions>) });
      url = await server.start();
      hostKeys = [server.hostPublicKey];
      secret = { Username: SFTP_SANDBOX_USER, Password: SFTP_SANDBOX_PASSWORD };
    }
    transfer.addConnector({ connectorId: LOCAL_CONNECTOR_ID, url, secretId, trustedHostKeys: hostKeys });
    const effective = settings.schema.parse({ ...config.settings, sftpUrl: url, trustedHostKeys: hostKeys });
    const dir = root;
    return {
      env: { ...settingsToEnv(settings, effective), [CONNECTOR_ID_ENV]: LOCAL_CONNECTOR_ID },
      secret,
      handle: { url, sftp: server, root },
      describe: server
        ? [
            `SameGoal SFTP sandbox: ${url} (files in ${root})`,
            `  host key: ${server.hostPublicKey}`,
            `  try: sftp -P ${new URL(url).port} ${SFTP_SANDBOX_USER}@127.0.0.1   (password: ${SFTP_SANDBOX_PASSWORD})`,
          ]
        : [`SameGoal SFTP: ${url} (from the config file)`],
      stop: async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  demo: ({ today, putBatch }) => {
    const students = sampleDelivery(1500);
    return [
      {
        title: `samegoal-delivery: tonight's demographics (students.csv, guardians.csv) into a new epoch directory, COMPLETE last`,
        pipeline: 'samegoal-delivery',
        input: { batch: today },
        expect: 'SUCCEEDED',
        before: () => putBatch('samegoal', today, students),
      },
      {
        title: 'samegoal-delivery: a batch that lost 40% of its guardians, stopped before anything is sent',
        pipeline: 'samegoal-delivery',
        input: { batch: `${today}-short` },
        expect: 'FAILED',
        before: () =>
          putBatch('samegoal', `${today}-short`, {
            'students.csv': students['students.csv']!,
            'guardians.csv': `${students['guardians.csv']!.split('\r\n').slice(0, 901).join('\r\n')}\r\n`,
          }),
      },
    ];
  },
  demoReport: (handle) => (handle.root ? [`SameGoal's SFTP server now holds: ${listTree(join(handle.root, 'upload')).join(', ')}`] : []),
};

function listTree(dir: string, prefix = '/upload'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listTree(join(dir, e.name), `${prefix}/${e.name}`) : [`${prefix}/${e.name}`]));
}
