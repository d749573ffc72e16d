import { createServer, type Server } from 'node:http';
import { close, listen } from '../lambdas/sandbox/http.js';

/**
 * A local Secrets Manager endpoint speaking the service's JSON 1.1 protocol (X-Amz-Target),
 * enough for GetSecretValue and DescribeSecret. The SDK reaches it through
 * AWS_ENDPOINT_URL_SECRETS_MANAGER, so handlers run unchanged.
 */
export class LocalSecretsManager {
  private readonly secrets = new Map<string, string>();
  private versions = 0;
  private server?: Server;
  endpoint = '';
  readonly calls: string[] = [];

  set(name: string, value: unknown): void {
    this.secrets.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** The value as stored (a string), or undefined. */
  get(name: string): string | undefined {
    return this.secrets.get(name);
  }

  delete(name: string): void {
    this.secrets.delete(name);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        let body: { SecretId?: string; SecretString?: string };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf-8') || '{}') as typeof body;
        } catch {
          return send(400, { __type: 'InvalidRequestException', message: 'Body is not JSON' });
        }
        const id = body.SecretId ?? '';
        this.calls.push(`${target.replace('secretsmanager.', '')} ${id}`);
        const value = this.secrets.get(id);
        if (value === undefined) {
          return send(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        }
        const arn = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-AbCdEf`;
        if (target === 'secretsmanager.GetSecretValue') {
          return send(200, { ARN: arn, Name: id, SecretString: value, VersionId: 'local', VersionStages: ['AWSCURRENT'], CreatedDate: 0 });
        }
        if (target === 'secretsmanager.DescribeSecret') return send(200, { ARN: arn, Name: id });
        if (target === 'secretsmanager.PutSecretValue') {
          // A new version of a secret that exists (the stack creates it); the service answers the same.
          this.secrets.set(id, body.SecretString ?? '');
          this.versions++;
          return send(200, { ARN: arn, Name: id, VersionId: `local-${this.versions}`, VersionStages: ['AWSCURRENT'] });
        }
        return send(400, { __type: 'UnsupportedOperation', message: `${target} is not served locally` });
      });
    });
    this.endpoint = `http://127.0.0.1:${await listen(this.server, '127.0.0.1', 0)}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    if (this.server) await close(this.server);
  }
}
