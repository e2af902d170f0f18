import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReleaseStatus } from '../domain/release-status.ts';

const heartbeatMs = 15_000;

/**
 * Server-Sent Events: the release's status as `event: status` whenever it changes, a comment line as a
 * heartbeat so proxies keep the stream open, and `event: end` once the release has an outcome.
 */
export async function streamReleaseEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  first: ReleaseStatus,
  readStatus: () => Promise<ReleaseStatus>,
  pollMs: number,
): Promise<void> {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let isOpen = true;
  request.raw.on('close', () => {
    isOpen = false;
  });
  const send = (event: string, data: unknown) =>
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  let last = JSON.stringify(first);
  send('status', first);
  let status = first;
  let lastWriteAt = Date.now();
  while (isOpen && status.outcome === null) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    try {
      status = await readStatus();
    } catch (error) {
      send('error', { message: (error as Error).message });
      continue;
    }
    const text = JSON.stringify(status);
    if (text !== last) {
      last = text;
      send('status', status);
      lastWriteAt = Date.now();
    } else if (Date.now() - lastWriteAt > heartbeatMs) {
      response.write(': keep-alive\n\n');
      lastWriteAt = Date.now();
    }
  }
  if (isOpen) send('end', { outcome: status.outcome, releaseId: status.releaseId });
  response.end();
}
