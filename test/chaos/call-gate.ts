/**
 * A pass-through HTTP proxy between Ramp's workers and the simulator. It sees every AWS call a worker
 * makes, numbered in one sequence with the outside changes the suite injects, and lets a scenario act at
 * the exact moment a mutating call reaches AWS: right before it is forwarded (the call can be dropped, as
 * if the worker died before sending it) or right after the simulator answered (the answer can be dropped,
 * as if the worker died before reading it). Nothing in the simulator changes for this.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchLambdaRoute } from '../../src/sim/routes.ts';

export const mutatingOperations = [
  'UpdateFunctionCode',
  'PublishVersion',
  'UpdateAlias',
  'CreateAlias',
] as const;

export interface GatedCall {
  seq: number;
  operation: string;
  functionName: string | undefined;
  qualifier: string | undefined;
  /** 0 until answered; -1 when the call was dropped before it reached the simulator. */
  status: number;
}

export type BeforeDecision = 'forward' | 'drop';
export type AfterDecision = 'deliver' | 'drop';

export interface CallGateHooks {
  /** Runs before a mutating call is forwarded. */
  beforeMutation?(call: GatedCall): Promise<BeforeDecision> | BeforeDecision;
  /** Runs after the simulator answered a mutating call, before the worker hears the answer. */
  afterMutation?(call: GatedCall): Promise<AfterDecision> | AfterDecision;
}

export interface CallGate {
  endpoint: string;
  /** Set or replace the hooks' functions; the object itself stays. */
  readonly hooks: CallGateHooks;
  /** Every call a worker made, in order. */
  calls: GatedCall[];
  /** The next number in the sequence shared with outside changes. */
  nextSeq(): number;
  close(): Promise<void>;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startCallGate(target: string): Promise<CallGate> {
  const targetUrl = new URL(target);
  let seq = 0;
  const calls: GatedCall[] = [];
  const gate: Omit<CallGate, 'endpoint' | 'close'> = { hooks: {}, calls, nextSeq: () => ++seq };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readAll(request);
      const url = new URL(request.url ?? '/', 'http://localhost');
      const route = matchLambdaRoute(request.method ?? 'GET', url.pathname);
      const call: GatedCall = {
        seq: gate.nextSeq(),
        operation: route?.operation ?? 'CloudWatch',
        functionName: route?.functionName,
        qualifier: route?.aliasName ?? url.searchParams.get('Qualifier') ?? undefined,
        status: 0,
      };
      calls.push(call);
      const isMutation = (mutatingOperations as readonly string[]).includes(call.operation);
      if (isMutation && (await gate.hooks.beforeMutation?.(call)) === 'drop') {
        call.status = -1;
        request.socket.destroy();
        return;
      }
      const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
        (resolve, reject) => {
          const forwarded = httpRequest(
            {
              host: targetUrl.hostname,
              port: targetUrl.port,
              method: request.method,
              path: request.url,
              headers: request.headers,
            },
            (reply) => {
              readAll(reply).then(
                (replyBody) =>
                  resolve({ status: reply.statusCode ?? 502, headers: reply.headers, body: replyBody }),
                reject,
              );
            },
          );
          forwarded.on('error', reject);
          forwarded.end(body);
        },
      );
      call.status = answer.status;
      if (isMutation && (await gate.hooks.afterMutation?.(call)) === 'drop') {
        request.socket.destroy();
        return;
      }
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    })().catch(() => {
      // The simulator dropped the connection (its own lost-response fault): the worker sees the same.
      request.socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    ...gate,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
