import type { FastifyReply } from 'fastify';
import type { ReleaseStatus } from '../domain/release-status.ts';
import { describeUnexpected } from './error-status.ts';

export interface EventStreamOptions<Status extends { outcome: unknown } = ReleaseStatus> {
  first: Status;
  readStatus: () => Promise<Status>;
  pollMs: number;
  heartbeatMs: number;
  /** Open streams register a stop function here, so closing the server ends them instead of waiting. */
  openStreams: Set<() => void>;
}

/**
 * Server-Sent Events: the release's status as `event: status` whenever it changes (polled, since the status
 * is a workflow query), a comment line as a heartbeat so proxies keep the stream open, and `event: end`
 * once the release has an outcome. Ends early when the client goes away or the server closes.
 */
export function streamReleaseEvents(reply: FastifyReply, options: EventStreamOptions): Promise<void> {
  return streamStatusEvents(reply, options, (status) => ({
    releaseId: status.releaseId,
    outcome: status.outcome,
  }));
}

/** The same stream for any status with an `outcome` (a train's too); `endOf` gives the `end` event's data. */
export async function streamStatusEvents<Status extends { outcome: unknown }>(
  reply: FastifyReply,
  options: EventStreamOptions<Status>,
  endOf: (status: Status) => unknown,
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
  let wake: (() => void) | undefined;
  const stop = () => {
    isOpen = false;
    wake?.();
  };
  response.on('close', stop);
  options.openStreams.add(stop);
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const send = (event: string, data: unknown) => {
    if (isOpen) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  try {
    // An EventSource that loses the stream reconnects after this long and gets the current status first.
    response.write('retry: 2000\n\n');
    let status = options.first;
    let last = JSON.stringify(status);
    send('status', status);
    let lastWriteAt = Date.now();
    while (isOpen && status.outcome === null) {
      await sleep(options.pollMs);
      if (!isOpen) break;
      try {
        status = await options.readStatus();
      } catch (error) {
        // Temporal briefly unreachable: say so and keep polling; the stream is still the way to follow.
        const { type, message } = describeUnexpected(error);
        send('error', { type, message });
        lastWriteAt = Date.now();
        continue;
      }
      const text = JSON.stringify(status);
      if (text !== last) {
        last = text;
        send('status', status);
        lastWriteAt = Date.now();
      } else if (Date.now() - lastWriteAt >= options.heartbeatMs && isOpen) {
        response.write(': keep-alive\n\n');
        lastWriteAt = Date.now();
      }
    }
    send('end', endOf(status));
  } finally {
    options.openStreams.delete(stop);
    response.end();
  }
}
