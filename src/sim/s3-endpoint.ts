import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, type ServiceEndpoint, type SimRequest } from './http-transport.ts';
import { isS3Request, type S3Service } from './s3-service.ts';

/** The simulator's S3 (s3-service.ts) behind the shared port: requests signed for `s3`, header or presigned. */
export class S3Endpoint implements ServiceEndpoint {
  constructor(private readonly s3: S3Service) {}

  claims(request: SimRequest, raw: IncomingMessage): boolean {
    return isS3Request(raw.headers, request.url);
  }

  async handle(request: SimRequest, raw: IncomingMessage, response: ServerResponse): Promise<void> {
    this.s3.handle(raw, response, request.url, await readBody(raw));
  }
}
