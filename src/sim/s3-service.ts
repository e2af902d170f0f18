/**
 * A minimal S3 on the simulator's port, enough for Lambda code in S3 and for Ramp's own S3 reads: PutObject,
 * GetObject, HeadObject and CreateBucket, path-style (`/bucket/key`, what the SDK sends with `forcePathStyle`),
 * every bucket versioned (each PutObject answers `x-amz-version-id`), and the SHA-256 checksum: an object uploaded
 * with `x-amz-checksum-sha256` (header, or aws-chunked trailer) keeps it as a FULL_OBJECT checksum, checked on
 * upload and returned by HeadObject and GetObject when the request says `x-amz-checksum-mode: ENABLED`.
 * S3 requests are told apart from Lambda and CloudWatch by their SigV4 scope (`…/<region>/s3/aws4_request`).
 * Buckets come into being with their first object; objects live in memory only (not in `--persist`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export interface S3Object {
  bytes: Buffer;
  versionId: string;
  etag: string;
  lastModified: Date;
  contentType: string;
  /** base64 SHA-256 of the whole object, when the upload carried one (S3 then reports ChecksumType FULL_OBJECT). */
  checksumSha256?: string;
}

/** Why an object could not be read, as S3 names it (Lambda quotes the code in its own error). */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly resource: Record<string, string> = {},
  ) {
    super(message);
  }
}

const noSuchBucket = (bucket: string) =>
  new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
const noSuchKey = (key: string) =>
  new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
const noSuchVersion = (key: string, versionId: string) =>
  new S3Error(404, 'NoSuchVersion', 'The specified version does not exist.', {
    Key: key,
    VersionId: versionId,
  });

/** Whether a request is signed for S3 (header or presigned query), not for Lambda or CloudWatch. */
export function isS3Request(headers: IncomingHttpHeaders, url: URL): boolean {
  const scope = headers.authorization ?? url.searchParams.get('X-Amz-Credential') ?? '';
  return (
    /Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/s3\/aws4_request/.test(scope) ||
    /^[^/]+\/\d{8}\/[a-z0-9-]+\/s3\/aws4_request$/.test(scope)
  );
}

/**
 * An aws-chunked body (what the SDK sends for a streamed upload with a checksum): `<hex size>[;chunk-signature=…]`
 * CRLF, the bytes, CRLF, …, a zero-size chunk, then trailer lines such as `x-amz-checksum-sha256:…`.
 */
function decodeAwsChunked(raw: Buffer): { bytes: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new S3Error(400, 'IncompleteBody', 'The request body terminated unexpectedly');
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) throw new S3Error(400, 'InvalidChunkSizeError', 'Invalid chunk size');
    offset = lineEnd + 2;
    if (size === 0) break;
    chunks.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { bytes: Buffer.concat(chunks), trailers };
}

const sha256Base64 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

export class S3Service {
  /** bucket → key → versions, oldest first. */
  private readonly buckets = new Map<string, Map<string, S3Object[]>>();

  constructor(private readonly clock: () => number = Date.now) {}

  createBucket(bucket: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  putObject(
    bucket: string,
    key: string,
    bytes: Buffer,
    options: { checksumSha256?: string; contentType?: string } = {},
  ): S3Object {
    const actual = sha256Base64(bytes);
    if (options.checksumSha256 !== undefined && options.checksumSha256 !== actual) {
      throw new S3Error(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    }
    this.createBucket(bucket);
    const keys = this.buckets.get(bucket) ?? new Map<string, S3Object[]>();
    const object: S3Object = {
      bytes,
      versionId: randomUUID().replaceAll('-', ''),
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      lastModified: new Date(Math.floor(this.clock() / 1000) * 1000),
      contentType: options.contentType ?? 'application/octet-stream',
      ...(options.checksumSha256 !== undefined ? { checksumSha256: actual } : {}),
    };
    keys.set(key, [...(keys.get(key) ?? []), object]);
    return object;
  }

  /** The object (its newest version, or the one named); S3's NoSuchBucket / NoSuchKey / NoSuchVersion otherwise. */
  getObject(bucket: string, key: string, versionId?: string): S3Object {
    const keys = this.buckets.get(bucket);
    if (!keys) throw noSuchBucket(bucket);
    const versions = keys.get(key);
    if (!versions || versions.length === 0) throw noSuchKey(key);
    if (!versionId || versionId === 'null') return versions.at(-1) as S3Object;
    const version = versions.find((v) => v.versionId === versionId);
    if (!version) throw noSuchVersion(key, versionId);
    return version;
  }

  /** Serves one path-style S3 request; `raw` is the request body already read. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL, raw: Buffer): void {
    const method = request.method ?? 'GET';
    const [bucketPart, ...keyParts] = url.pathname.slice(1).split('/');
    const bucket = decodeURIComponent(bucketPart ?? '');
    const key = keyParts.map(decodeURIComponent).join('/');
    try {
      if (!bucket)
        throw new S3Error(405, 'MethodNotAllowed', 'ListBuckets is not supported by the simulator');
      if (!key) {
        if (method !== 'PUT')
          throw new S3Error(
            405,
            'MethodNotAllowed',
            `${method} on a bucket is not supported by the simulator`,
          );
        this.createBucket(bucket);
        response.writeHead(200, { location: `/${bucket}`, 'x-amz-request-id': randomUUID() });
        response.end();
        return;
      }
      if (method === 'PUT') {
        this.handlePut(request, response, bucket, key, raw);
        return;
      }
      if (method === 'GET' || method === 'HEAD') {
        const object = this.getObject(bucket, key, url.searchParams.get('versionId') ?? undefined);
        const isChecksumWanted =
          String(request.headers['x-amz-checksum-mode'] ?? '').toUpperCase() === 'ENABLED';
        response.writeHead(200, {
          'content-length': String(object.bytes.length),
          'content-type': object.contentType,
          etag: object.etag,
          'last-modified': object.lastModified.toUTCString(),
          'x-amz-version-id': object.versionId,
          'x-amz-request-id': randomUUID(),
          ...(isChecksumWanted && object.checksumSha256
            ? { 'x-amz-checksum-sha256': object.checksumSha256, 'x-amz-checksum-type': 'FULL_OBJECT' }
            : {}),
        });
        response.end(method === 'GET' ? object.bytes : undefined);
        return;
      }
      throw new S3Error(405, 'MethodNotAllowed', `${method} is not supported by the simulator's S3`);
    } catch (error) {
      const failure =
        error instanceof S3Error
          ? error
          : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
      this.writeError(response, method, failure);
    }
  }

  private handlePut(
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    key: string,
    raw: Buffer,
  ): void {
    const isChunked = String(request.headers['content-encoding'] ?? '').includes('aws-chunked');
    const { bytes, trailers } = isChunked
      ? decodeAwsChunked(raw)
      : { bytes: raw, trailers: {} as Record<string, string> };
    const header = request.headers['x-amz-checksum-sha256'];
    const checksumSha256 =
      (typeof header === 'string' ? header : undefined) ?? trailers['x-amz-checksum-sha256'];
    const contentType = request.headers['content-type'];
    const object = this.putObject(bucket, key, bytes, {
      ...(checksumSha256 !== undefined ? { checksumSha256 } : {}),
      ...(typeof contentType === 'string' ? { contentType } : {}),
    });
    response.writeHead(200, {
      etag: object.etag,
      'x-amz-version-id': object.versionId,
      'x-amz-request-id': randomUUID(),
      ...(object.checksumSha256
        ? { 'x-amz-checksum-sha256': object.checksumSha256, 'x-amz-checksum-type': 'FULL_OBJECT' }
        : {}),
    });
    response.end();
  }

  /** S3's XML error; a HEAD answer has no body, so the SDK names it by status (NotFound). */
  private writeError(response: ServerResponse, method: string, error: S3Error): void {
    const requestId = randomUUID();
    const xml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const fields = Object.entries(error.resource)
      .map(([name, value]) => `<${name}>${xml(value)}</${name}>`)
      .join('');
    const body =
      method === 'HEAD'
        ? ''
        : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${xml(error.message)}</Message>${fields}<RequestId>${requestId}</RequestId></Error>`;
    response.writeHead(error.status, {
      'content-type': 'application/xml',
      'x-amz-request-id': requestId,
      ...(method === 'HEAD' ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
    });
    response.end(body);
  }
}
