import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/**
 * CloudWatch's two wire protocols. `@aws-sdk/client-cloudwatch` ≥ 3.949 speaks JSON 1.0
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, epoch-second timestamps, errors named in
 * `x-amzn-query-error`); older clients and the AWS CLI v1 speak awsQuery (form-encoded `Action=…`, XML
 * answers with ISO-8601 timestamps). Both reach the same operations, so users on either SDK can point here.
 */
export type CloudWatchProtocol = 'json' | 'query';

export interface CloudWatchRequest {
  protocol: CloudWatchProtocol;
  operation: string;
  body: Record<string, unknown>;
}

const xmlNamespace = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

/** Fields whose JSON value is epoch seconds and whose XML value is an ISO-8601 instant. */
const timestampFields = new Set([
  'Timestamps',
  'StateUpdatedTimestamp',
  'StateTransitionedTimestamp',
  'AlarmConfigurationUpdatedTimestamp',
]);

/** Shape ids of the modeled errors, so the SDK builds the same exception class as against CloudWatch. */
const shapeOfCode: Record<string, string> = {
  InvalidParameterValue: 'InvalidParameterValueException',
  MissingParameter: 'MissingRequiredParameterException',
  InvalidNextToken: 'InvalidNextToken',
  InternalServiceError: 'InternalServiceFault',
};

export function isCloudWatchRequest(method: string, path: string, headers: IncomingHttpHeaders): boolean {
  if (method !== 'POST' || path !== '/') return false;
  if (typeof headers['x-amz-target'] === 'string') return true;
  return String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

export function readCloudWatchRequest(headers: IncomingHttpHeaders, raw: Buffer): CloudWatchRequest {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    return { protocol: 'json', operation: target.split('.').at(-1) ?? '', body };
  }
  const form = new URLSearchParams(raw.toString('utf8'));
  return { protocol: 'query', operation: form.get('Action') ?? '', body: nestQueryParameters(form) };
}

/**
 * awsQuery flattens lists as `Name.member.N` and structures as `Name.Field`:
 * `MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=FunctionName`.
 */
export function nestQueryParameters(form: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, rawValue] of form) {
    if (key === 'Action' || key === 'Version') continue;
    const value: unknown = rawValue === 'true' ? true : rawValue === 'false' ? false : rawValue;
    const path = key.split('.');
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i] ?? '';
      const isLast = i === path.length - 1;
      if (segment === 'member') continue;
      const nextIsList = path[i + 1] === 'member';
      const slot: string | number = Array.isArray(node) ? Number(segment) - 1 : segment;
      const container = node as Record<string | number, unknown>;
      if (isLast) {
        container[slot] = value;
        break;
      }
      if (container[slot] === undefined) container[slot] = nextIsList ? [] : {};
      node = container[slot] as Record<string, unknown> | unknown[];
    }
  }
  return root;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlOf(value: unknown, isTimestamp: boolean): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value))
    return value.map((item) => `<member>${xmlOf(item, isTimestamp)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined && field !== null)
      .map(([name, field]) => `<${name}>${xmlOf(field, timestampFields.has(name))}</${name}>`)
      .join('');
  }
  if (isTimestamp && typeof value === 'number') return new Date(value * 1000).toISOString();
  return escapeXml(String(value));
}

export function writeCloudWatchResult(
  response: ServerResponse,
  request: CloudWatchRequest,
  result: Record<string, unknown>,
): void {
  const requestId = randomUUID();
  if (request.protocol === 'json') {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId });
    response.end(JSON.stringify(result));
    return;
  }
  const name = request.operation;
  response.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  response.end(
    `<${name}Response xmlns="${xmlNamespace}"><${name}Result>${xmlOf(result, false)}</${name}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${name}Response>`,
  );
}

export function writeCloudWatchError(
  response: ServerResponse,
  protocol: CloudWatchProtocol,
  error: { status: number; code: string; message: string },
): void {
  const requestId = randomUUID();
  const fault = error.status >= 500 ? 'Receiver' : 'Sender';
  if (protocol === 'json') {
    response.writeHead(error.status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': requestId,
      // awsQuery-compatible services name the query-protocol error code here; the SDK prefers it.
      'x-amzn-query-error': `${error.code};${fault}`,
    });
    response.end(
      JSON.stringify({
        __type: `com.amazonaws.cloudwatch#${shapeOfCode[error.code] ?? error.code}`,
        message: error.message,
      }),
    );
    return;
  }
  response.writeHead(error.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  response.end(
    `<ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${fault}</Type><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}
