import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What every sandbox does the same way: answer JSON with an exact length, start on loopback, stop at once. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Listens and returns the port (an ephemeral one for port 0). */
export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Drops open keep-alive connections too, so a test never waits on a client's idle socket. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A vendor that echoes what it was sent: every request header and the body, in the error it
 * answers — as JSON (inside `message` and `error`, the fields a client quotes) or as plain
 * text. The test of the scrubbing boundary: nothing of it may reach a log, an error or an output.
 */
export interface EchoMode {
  status: number;
  format: 'json' | 'text';
}

export async function echoReply(req: IncomingMessage, res: ServerResponse, mode: EchoMode): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf-8');
  const said = `You sent ${req.method} ${req.url} with headers ${JSON.stringify(req.headers)} and body ${body}`;
  if (mode.format === 'json') {
    sendJson(res, mode.status, { message: said, error: said, error_description: said, headers: req.headers, body }, mode.status === 429 ? { 'Retry-After': '0' } : {});
    return;
  }
  res.writeHead(mode.status, { 'Content-Type': 'text/plain', ...(mode.status === 429 ? { 'Retry-After': '0' } : {}) });
  res.end(said);
}
