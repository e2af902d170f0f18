import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimCall } from './call-log.ts';
import {
  type CloudWatchRequest,
  isCloudWatchRequest,
  readCloudWatchRequest,
  writeCloudWatchError,
  writeCloudWatchResult,
} from './cloudwatch-protocols.ts';
import { CloudWatchError } from './cloudwatch-service.ts';
import { type CallMatch, injectFaults, isResponseLost } from './fault-pipeline.ts';
import {
  readBody,
  type ServiceEndpoint,
  type ServiceEndpointDeps,
  type SimRequest,
} from './http-transport.ts';

/** CloudWatch's endpoint (`POST /`, JSON 1.0 or awsQuery), with its own wording of throttles and 5xx. */
export class CloudWatchEndpoint implements ServiceEndpoint {
  constructor(private readonly deps: ServiceEndpointDeps) {}

  claims(request: SimRequest, raw: IncomingMessage): boolean {
    // CloudWatch signs as `monitoring`; an unsigned form post (curl, old tools) is taken as CloudWatch too.
    if (request.signedService !== undefined && request.signedService !== 'monitoring') return false;
    return isCloudWatchRequest(request.method, request.url.pathname, raw.headers);
  }

  async handle(request: SimRequest, raw: IncomingMessage, response: ServerResponse): Promise<void> {
    const region = request.signedRegion ?? this.deps.defaultRegion;
    const payload = await readBody(raw);
    let call: CloudWatchRequest;
    try {
      call = readCloudWatchRequest(raw.headers, payload);
    } catch {
      writeCloudWatchError(response, 'json', {
        status: 400,
        code: 'SerializationException',
        message: 'Could not parse request body',
      });
      return;
    }
    const entry: SimCall = {
      operation: call.operation,
      status: 0,
      at: this.deps.clock(),
      request: call.body,
    };
    // CloudWatch faults fire only when a rule names the CloudWatch operation, so a blanket Lambda throttle
    // does not also blind the health checks.
    const match: CallMatch = { operation: call.operation, isOperationRequired: true };
    try {
      await injectFaults(this.deps.faults, match, {
        throttled: () => new CloudWatchError('Throttling', 'Rate exceeded', 400),
        serviceError: () =>
          new CloudWatchError(
            'InternalServiceError',
            'Internal service error (injected by the simulator).',
            500,
          ),
        // As IAM words it for a role whose policy does not allow the action.
        accessDenied: () =>
          new CloudWatchError(
            'AccessDenied',
            `User: arn:aws:sts::${this.deps.accountOf(request).accountId}:assumed-role/ramp-worker/ramp is not authorized to perform: cloudwatch:${call.operation} because no identity-based policy allows the cloudwatch:${call.operation} action`,
            403,
          ),
      });
      const account = this.deps.accountOf(request);
      if (account.cloudWatchQuota && !account.cloudWatchQuota.take(region, call.operation).isAllowed)
        throw new CloudWatchError('Throttling', 'Rate exceeded', 400);
      const result = account.cloudWatch.handle(call.operation, region, call.body);
      entry.status = 200;
      this.deps.calls.add(entry);
      if (isResponseLost(this.deps.faults, match)) {
        response.socket?.destroy();
        return;
      }
      writeCloudWatchResult(response, call, result);
    } catch (error) {
      const failure =
        error instanceof CloudWatchError
          ? error
          : new CloudWatchError('InternalServiceError', (error as Error).message, 500);
      entry.status = failure.status;
      entry.errorType = failure.code;
      this.deps.calls.add(entry);
      writeCloudWatchError(response, call.protocol, {
        status: failure.status,
        code: failure.code,
        message: failure.message,
      });
    }
  }
}
