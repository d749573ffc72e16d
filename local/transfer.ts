import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { close, listen } from '../lambdas/sandbox/http.js';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { connectSftp, putStream, type SftpSecret } from '../vendors/samegoal/sftp.js';

/**
 * A local AWS Transfer Family endpoint for SFTP connectors, speaking the service's JSON 1.1
 * protocol (X-Amz-Target: TransferService.*), reached through AWS_ENDPOINT_URL_TRANSFER. Like
 * the real connector it reads its login from Secrets Manager, trusts only its configured host
 * keys, refuses a RemoteDirectoryPath that does not exist ("Invalid RemoteDirectoryPath"),
 * takes at most 10 paths a call, and really moves each file's bytes from S3 to the SFTP server,
 * reporting per-file results through ListFileTransferResults.
 */
export interface LocalConnector {
  connectorId: string;
  url: string;
  secretId: string;
  trustedHostKeys: string[];
}

interface FileResult {
  FilePath: string;
  StatusCode: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  FailureCode?: string;
  FailureMessage?: string;
}

export class LocalTransfer {
  private readonly connectors = new Map<string, LocalConnector>();
  private readonly transfers = new Map<string, { connectorId: string; results: FileResult[] }>();
  private server?: Server;
  endpoint = '';
  /** Make the next N files whose path matches fail, as a connector reports a failed transfer. */
  failNext?: { match: RegExp; times: number };
  /**
   * Accept transfers and never move them, listing none of their files: the service's events
   * are best effort and its listing can lag or miss a file; a client must not wait forever.
   */
  stall = false;
  readonly calls: string[] = [];

  addConnector(connector: LocalConnector): void {
    this.connectors.set(connector.connectorId, connector);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        const target = String(req.headers['x-amz-target'] ?? '').replace('TransferService.', '');
        this.calls.push(target);
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf-8') || '{}') as Record<string, unknown>;
        } catch {
          return send(400, { __type: 'InvalidRequestException', Message: 'Body is not JSON' });
        }
        this.dispatch(target, body)
          .then((out) => send(200, out))
          .catch((error: { type?: string; message: string }) => send(400, { __type: error.type ?? 'InvalidRequestException', Message: error.message }));
      });
    });
    this.endpoint = `http://127.0.0.1:${await listen(this.server, '127.0.0.1', 0)}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    if (this.server) await close(this.server);
  }

  private async dispatch(target: string, body: Record<string, unknown>): Promise<unknown> {
    const connector = this.connectors.get(String(body.ConnectorId ?? ''));
    if (!connector) throw Object.assign(new Error(`Connector ${String(body.ConnectorId)} not found`), { type: 'ResourceNotFoundException' });
    if (target === 'StartFileTransfer') {
      const paths = body.SendFilePaths as string[] | undefined;
      if (!Array.isArray(paths) || paths.length === 0 || paths.length > 10) {
        throw Object.assign(new Error('SendFilePaths must hold 1 to 10 paths'), { type: 'ValidationException' });
      }
      const id = randomUUID();
      const results: FileResult[] = paths.map((p) => ({ FilePath: p, StatusCode: 'QUEUED' }));
      if (this.stall) {
        this.transfers.set(id, { connectorId: connector.connectorId, results: [] });
        return { TransferId: id };
      }
      this.transfers.set(id, { connectorId: connector.connectorId, results });
      // Like the service: accepted at once, moved in the background, one file at a time.
      void this.move(connector, String(body.RemoteDirectoryPath ?? '/'), results);
      return { TransferId: id };
    }
    if (target === 'ListFileTransferResults') {
      const transfer = this.transfers.get(String(body.TransferId ?? ''));
      if (!transfer || transfer.connectorId !== connector.connectorId) throw Object.assign(new Error('Transfer not found'), { type: 'ResourceNotFoundException' });
      return { FileTransferResults: transfer.results.map((r) => ({ ...r })) };
    }
    throw Object.assign(new Error(`${target} is not served locally`), { type: 'UnsupportedOperation' });
  }

  private async move(connector: LocalConnector, remoteDir: string, results: FileResult[]): Promise<void> {
    const fail = (r: FileResult, code: string, message: string) => Object.assign(r, { StatusCode: 'FAILED', FailureCode: code, FailureMessage: message });
    let sftp;
    try {
      const sm = new SecretsManagerClient({});
      const secret = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: connector.secretId }))).SecretString ?? '{}') as SftpSecret;
      sm.destroy();
      sftp = await connectSftp(connector.url, secret, connector.trustedHostKeys, connector.secretId);
    } catch (error) {
      for (const r of results) fail(r, 'CONNECTION_ERROR', (error as Error).message);
      return;
    }
    const s3 = new S3Client({ forcePathStyle: true });
    try {
      const dirOk = await sftp.exists(remoteDir);
      for (const r of results) {
        if (dirOk !== 'd') {
          fail(r, 'INVALID_REMOTE_DIRECTORY', `Invalid RemoteDirectoryPath: ${remoteDir}`);
          continue;
        }
        r.StatusCode = 'IN_PROGRESS';
        const rule = this.failNext;
        if (rule && rule.times > 0 && rule.match.test(r.FilePath)) {
          rule.times--;
          fail(r, 'UNKNOWN_ERROR', 'The connection to the remote server was closed during the transfer (local fault)');
          continue;
        }
        try {
          const [, bucket, ...key] = r.FilePath.split('/');
          const body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }))).Body as Readable;
          await putStream(sftp, body, posix.join(remoteDir, key.at(-1)!));
          r.StatusCode = 'COMPLETED';
        } catch (error) {
          fail(r, 'UNKNOWN_ERROR', (error as Error).message);
        }
      }
    } finally {
      s3.destroy();
      await sftp.end().catch(() => undefined);
    }
  }
}
