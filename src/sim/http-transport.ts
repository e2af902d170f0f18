import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SimAccount } from './account.ts';
import type { CallLog } from './call-log.ts';
import type { FaultController } from './faults.ts';
import { SimError, serviceError } from './sim-error.ts';

/**
 * The simulator's one HTTP port, shared by every service it speaks. Each service is an endpoint that
 * claims the requests meant for it (by path, protocol headers, or the service named in the SigV4
 * credential scope); the first that claims a request answers it, and Lambda's 404 answers the rest.
 */
export interface SimRequest {
  method: string;
  url: URL;
  /** The service the request is signed for (`lambda`, `monitoring`, `sts`, `s3`), if it is signed. */
  signedService: string | undefined;
  /** The region of the SigV4 credential scope, if it is signed. */
  signedRegion: string | undefined;
  /** The access key the request is signed with, if it is signed. */
  accessKeyId: string | undefined;
}

export interface ServiceEndpoint {
  claims(request: SimRequest, raw: IncomingMessage): boolean;
  handle(request: SimRequest, raw: IncomingMessage, response: ServerResponse): Promise<void>;
}

/** What a service endpoint (Lambda's, CloudWatch's) is built with. */
export interface ServiceEndpointDeps {
  /** The account a request acts in, by the credentials it is signed with. */
  accountOf(request: SimRequest): SimAccount;
  faults: FaultController;
  calls: CallLog;
  clock: () => number;
  defaultRegion: string;
}

const maxBodyBytes = 80 * 1024 * 1024;

/** `Credential=AKID/20250101/us-east-1/lambda/aws4_request` → access key, region and service. */
function credentialScope(authorization: string | undefined): {
  accessKeyId?: string | undefined;
  region?: string | undefined;
  service?: string | undefined;
} {
  const match = /Credential=([^/]+)\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\//.exec(authorization ?? '');
  return match ? { accessKeyId: match[1], region: match[2], service: match[3] } : {};
}

/**
 * How long an idle keep-alive connection stays open. Node's default, 5 s, is far shorter than AWS's front
 * ends keep one: an SDK client (whose agent keeps sockets without an idle limit of its own) that sent its
 * next call just as the simulator closed the socket got ECONNRESET, which a client with `maxAttempts: 1`
 * does not retry (a train test met it in CI after a 5 s pause between its calls).
 */
export const keepAliveTimeoutMs = 60_000;

export function createSimServer(endpoints: readonly ServiceEndpoint[]): Server {
  const server = createServer((raw, response) => {
    const scope = credentialScope(raw.headers.authorization);
    const request: SimRequest = {
      method: raw.method ?? 'GET',
      url: new URL(raw.url ?? '/', 'http://localhost'),
      signedService: scope.service,
      signedRegion: scope.region,
      accessKeyId: scope.accessKeyId,
    };
    const endpoint = endpoints.find((candidate) => candidate.claims(request, raw));
    const handled = endpoint
      ? endpoint.handle(request, raw, response)
      : Promise.resolve(
          sendJson(
            response,
            404,
            { message: `Unknown operation ${request.method} ${request.url.pathname}` },
            { 'x-amzn-errortype': 'UnknownOperationException' },
          ),
        );
    handled.catch((error: unknown) => {
      if (!response.headersSent)
        sendLambdaError(response, error instanceof SimError ? error : serviceError());
    });
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.headersTimeout = keepAliveTimeoutMs + 1_000;
  return server;
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes)
      throw new SimError(
        413,
        'RequestEntityTooLargeException',
        'Request must be smaller than 70167211 bytes for the CreateFunction operation',
        { hasType: false },
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}

export function sendLambdaError(response: ServerResponse, error: SimError): void {
  sendJson(response, error.status, error.body(), {
    'x-amzn-errortype': error.type,
    ...error.options.headers,
  });
}
