import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimAccount } from './account.ts';
import type { SimCall } from './call-log.ts';
import { type CallMatch, injectFaults, isResponseLost } from './fault-pipeline.ts';
import { functionArn, resolveFunctionName } from './function-names.ts';
import type { Context } from './function-registry.ts';
import {
  readBody,
  type ServiceEndpoint,
  type ServiceEndpointDeps,
  type SimRequest,
  sendJson,
  sendLambdaError,
} from './http-transport.ts';
import type { Reply } from './lambda-service.ts';
import { applyOutsideChange } from './outside-changes.ts';
import { matchLambdaRoute } from './routes.ts';
import { SimError, serviceError, throttled } from './sim-error.ts';

interface LambdaCall {
  account: SimAccount;
  operation: string;
  functionName?: string;
  aliasName?: string;
  region: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  invocationType: string;
}

/**
 * Lambda's REST-JSON endpoint: reads the call, passes it through quotas and injected faults, runs it on the
 * control plane (or invokes), logs it, and answers as Lambda does on the wire.
 */
export class LambdaEndpoint implements ServiceEndpoint {
  constructor(private readonly deps: ServiceEndpointDeps) {}

  claims(request: SimRequest): boolean {
    return matchLambdaRoute(request.method, request.url.pathname) !== undefined;
  }

  async handle(request: SimRequest, raw: IncomingMessage, response: ServerResponse): Promise<void> {
    const route = matchLambdaRoute(request.method, request.url.pathname);
    if (!route) throw new SimError(404, 'UnknownOperationException', `Unknown operation ${request.method}`);
    const payload = await readBody(raw);
    let body: Record<string, unknown> = {};
    if (route.operation !== 'Invoke' && payload.length > 0) {
      try {
        body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        sendLambdaError(
          response,
          new SimError(400, 'SerializationException', 'Could not parse request body into json', {
            hasType: false,
          }),
        );
        return;
      }
    }
    const invocationType = raw.headers['x-amz-invocation-type'];
    await this.answer(response, {
      ...route,
      account: this.deps.accountOf(request),
      region: request.signedRegion ?? this.deps.defaultRegion,
      query: request.url.searchParams,
      body,
      invocationType: typeof invocationType === 'string' ? invocationType : 'RequestResponse',
    });
  }

  /** The short name of the function a call names, for the call log and fault matching. */
  private shortName(raw: string | undefined, accountId: string): string | undefined {
    if (!raw) return undefined;
    try {
      const context = { region: this.deps.defaultRegion, accountId, isStrict: false };
      return resolveFunctionName(raw, context).name;
    } catch {
      return raw;
    }
  }

  private async answer(response: ServerResponse, call: LambdaCall): Promise<void> {
    const { faults } = this.deps;
    const { quota } = call.account;
    const functionName = this.shortName(
      call.functionName ?? (typeof call.body.FunctionName === 'string' ? call.body.FunctionName : undefined),
      call.account.accountId,
    );
    const { ZipFile: _zip, Code: _code, ...loggable } = call.body;
    const qualifier = call.aliasName ?? call.query.get('Qualifier');
    const entry: SimCall = {
      operation: call.operation,
      ...(functionName ? { functionName } : {}),
      ...(qualifier ? { qualifier } : {}),
      status: 0,
      at: this.deps.clock(),
      request: loggable,
    };
    const match: CallMatch = { operation: call.operation, functionName };
    const context: Context = { region: call.region, accountId: call.account.accountId };
    const changeDeps = {
      registry: call.account.registry,
      lambda: call.account.lambda,
      clock: this.deps.clock,
    };
    let reply: Reply;
    try {
      if (quota && call.operation !== 'Invoke') {
        const taken = quota.take(call.region, call.operation);
        if (!taken.isAllowed) throw throttled(Math.max(1, Math.ceil(taken.waitMs / 1000)));
      }
      await injectFaults(faults, match, {
        throttled: (rule) => throttled(rule.retryAfterSeconds ?? 1, rule.reason),
        serviceError,
        // As IAM words it for an assumed role whose policy no longer allows the action.
        accessDenied: () =>
          new SimError(
            403,
            'AccessDeniedException',
            `User: arn:aws:sts::${context.accountId}:assumed-role/ramp-worker/ramp is not authorized to perform: lambda:${call.operation} on resource: ${functionArn(context, functionName ?? '*')} because no identity-based policy allows the lambda:${call.operation} action`,
            { messageKey: 'Message' },
          ),
      });
      for (const rule of faults.fire('outsideChange', match, 'before'))
        applyOutsideChange(changeDeps, context, rule);
      reply = await this.execute(context, call);
      this.armFailedUpdate(call, functionName);
      for (const rule of faults.fire('outsideChange', match, 'after'))
        applyOutsideChange(changeDeps, context, rule);
    } catch (error) {
      const simError = error instanceof SimError ? error : serviceError();
      entry.status = simError.status;
      entry.errorType = simError.type;
      this.deps.calls.add(entry);
      sendLambdaError(response, simError);
      return;
    }
    entry.status = reply.status;
    this.deps.calls.add(entry);
    if (isResponseLost(faults, match)) {
      // The change landed; the caller never hears about it.
      response.socket?.destroy();
      return;
    }
    sendJson(response, reply.status, reply.body, reply.headers);
  }

  /** An injected failNextUpdate makes the update just accepted end Failed when it settles; slowNextUpdate makes it settle late. */
  private armFailedUpdate(call: LambdaCall, functionName: string | undefined): void {
    const isUpdate =
      call.operation === 'UpdateFunctionCode' || call.operation === 'UpdateFunctionConfiguration';
    // A DryRun changes nothing, so it must not spend the failure meant for the real update.
    if (!isUpdate || call.body.DryRun === true) return;
    const [failure] = this.deps.faults.fire('failNextUpdate', { operation: 'any', functionName });
    const fn = functionName ? call.account.registry.get(call.region, functionName) : undefined;
    if (failure && fn) {
      fn.latest.pendingFailure = {
        reason: failure.reason ?? 'Update failed',
        reasonCode: failure.reasonCode ?? 'InternalError',
      };
    }
    const [slow] = this.deps.faults.fire('slowNextUpdate', { operation: 'any', functionName });
    if (slow && fn) fn.latest.settlesAt = this.deps.clock() + (slow.latencyMs ?? 0);
  }

  private execute(context: Context, call: LambdaCall): Promise<Reply> | Reply {
    const { lambda, invoker } = call.account;
    const fn = call.functionName ?? '';
    const alias = call.aliasName ?? '';
    switch (call.operation) {
      case 'CreateFunction':
        return lambda.createFunction(context, call.body);
      case 'GetFunction':
        return lambda.getFunction(context, fn, call.query);
      case 'GetFunctionConfiguration':
        return lambda.getFunctionConfiguration(context, fn, call.query);
      case 'UpdateFunctionCode':
        return lambda.updateFunctionCode(context, fn, call.body);
      case 'UpdateFunctionConfiguration':
        return lambda.updateFunctionConfiguration(context, fn, call.body);
      case 'PublishVersion':
        return lambda.publishVersion(context, fn, call.body);
      case 'ListVersionsByFunction':
        return lambda.listVersions(context, fn, call.query);
      case 'CreateAlias':
        return lambda.createAlias(context, fn, call.body);
      case 'GetAlias':
        return lambda.getAlias(context, fn, alias);
      case 'UpdateAlias':
        return lambda.updateAlias(context, fn, alias, call.body);
      case 'DeleteAlias':
        return lambda.deleteAlias(context, fn, alias);
      case 'ListAliases':
        return lambda.listAliases(context, fn, call.query);
      case 'DeleteFunction':
        return lambda.deleteFunction(context, fn, call.query);
      case 'PutFunctionConcurrency':
        return lambda.putFunctionConcurrency(context, fn, call.body);
      case 'GetFunctionConcurrency':
        return lambda.getFunctionConcurrency(context, fn);
      case 'DeleteFunctionConcurrency':
        return lambda.deleteFunctionConcurrency(context, fn);
      case 'Invoke':
        return invoker.invokeOverHttp(context, fn, call.query.get('Qualifier'), call.invocationType);
      default:
        throw new SimError(404, 'UnknownOperationException', `Unknown operation ${call.operation}`);
    }
  }
}
