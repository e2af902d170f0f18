import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlarmStore } from './alarms.ts';
import { healthyBehaviour, sampleLatencyMs } from './behaviour.ts';
import {
  type CloudWatchRequest,
  isCloudWatchRequest,
  readCloudWatchRequest,
  writeCloudWatchError,
  writeCloudWatchResult,
} from './cloudwatch-protocols.ts';
import { CloudWatchError, CloudWatchService } from './cloudwatch-service.ts';
import { handleControlRequest } from './control-api.ts';
import { FaultController, type FaultRule } from './faults.ts';
import { resolveFunctionName } from './function-names.ts';
import { type Context, LambdaService, type Reply } from './lambda-service.ts';
import { MetricStore } from './metrics.ts';
import { loadState, saveState } from './persistence.ts';
import { ControlPlaneQuota } from './quota.ts';
import { matchLambdaRoute, regionOfRequest } from './routes.ts';
import { isS3Request, S3Service } from './s3-service.ts';
import { SimError, serviceError, throttled } from './sim-error.ts';
import { TrafficController, type TrafficOptions } from './traffic.ts';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. The simulator listens on 127.0.0.1 only. */
  port?: number;
  accountId?: string;
  region?: string;
  /** How long State stays Pending after CreateFunction and LastUpdateStatus InProgress after an update. */
  updateDelayMs?: number;
  /** Seed for the random choices (routing by weight, error rates, fault probabilities). */
  seed?: number;
  /** Enforce Lambda's real control-plane rates (GetFunction 100/s, the rest 15/s shared). */
  quotas?: boolean;
  /** Persist functions and aliases to this JSON file and load them at start. */
  persistPath?: string;
}

export interface SimCall {
  operation: string;
  functionName?: string;
  qualifier?: string;
  status: number;
  errorType?: string;
  at: number;
  /** The request body without deployment packages. */
  request: Record<string, unknown>;
}

const maxCalls = 20_000;
const maxBodyBytes = 80 * 1024 * 1024;

/** mulberry32: a small seeded generator, so a seeded simulator makes the same choices every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Simulator {
  readonly lambda: LambdaService;
  readonly s3 = new S3Service();
  readonly metrics = new MetricStore();
  readonly alarms: AlarmStore;
  readonly cloudWatch: CloudWatchService;
  readonly faults: FaultController;
  readonly traffic: TrafficController;
  readonly region: string;
  readonly accountId: string;
  private readonly random: () => number;
  private readonly quota: ControlPlaneQuota | undefined;
  private readonly callLog: SimCall[] = [];
  private readonly server: Server;
  private readonly alarmTimer: NodeJS.Timeout;
  private saveTimer: NodeJS.Timeout | undefined;
  endpoint = '';

  constructor(private readonly options: SimulatorOptions = {}) {
    const clock = () => Date.now();
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.random = options.seed !== undefined ? seededRandom(options.seed) : Math.random;
    this.lambda = new LambdaService({
      accountId: this.accountId,
      updateDelayMs: options.updateDelayMs ?? 200,
      clock,
      s3: this.s3,
    });
    this.alarms = new AlarmStore(this.metrics, this.region, clock);
    this.cloudWatch = new CloudWatchService(this.metrics, this.alarms, this.accountId);
    this.faults = new FaultController(clock, this.random);
    this.traffic = new TrafficController((traffic) => this.invoke(traffic));
    this.quota = options.quotas ? new ControlPlaneQuota(clock) : undefined;
    if (options.persistPath) {
      loadState(options.persistPath, this.lambda, this.alarms);
      this.lambda.onChange = () => this.scheduleSave();
      this.alarms.onChange = () => this.scheduleSave();
    }
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent)
          this.sendLambdaError(response, error instanceof SimError ? error : serviceError());
      });
    });
    // Alarms change state as time passes, as CloudWatch evaluates them every period.
    this.alarmTimer = setInterval(() => this.alarms.evaluateAll(), 1000);
    this.alarmTimer.unref();
  }

  get clientConfig() {
    return {
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.traffic.stopAll();
    clearInterval(this.alarmTimer);
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.save();
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  calls(): readonly SimCall[] {
    return this.callLog;
  }

  aliasHistory(functionName: string, alias: string, region = this.region) {
    return this.lambda.historyOf(region, functionName, alias);
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 100);
  }

  private save(): void {
    if (this.options.persistPath) saveState(this.options.persistPath, this.lambda, this.alarms);
  }

  /** One invocation, whoever makes it: routed by the alias's weights, counted in the metrics. */
  invoke(traffic: Omit<TrafficOptions, 'ratePerSecond'>): {
    executedVersion: string;
    isError: boolean;
    isThrottled: boolean;
    durationMs: number;
  } {
    const region = traffic.region ?? this.region;
    const context: Context = { region, accountId: this.accountId };
    const routed = this.lambda.route(context, traffic.functionName, traffic.qualifier ?? null, this.random);
    const behaviour = {
      ...(routed.behaviour ?? healthyBehaviour),
      ...this.faults.behaviourOf(routed.fn.name, routed.executedVersion),
    };
    const isThrottled = this.random() < behaviour.throttleRate;
    const isError = !isThrottled && this.random() < behaviour.errorRate;
    const durationMs = isThrottled ? 0 : sampleLatencyMs(behaviour, this.random);
    this.metrics.record({
      at: Date.now(),
      region,
      functionName: routed.fn.name,
      resource: traffic.qualifier ? `${routed.fn.name}:${traffic.qualifier}` : undefined,
      executedVersion: routed.viaAlias ? routed.executedVersion : undefined,
      durationMs,
      isError,
      isThrottled,
    });
    return { executedVersion: routed.executedVersion, isError, isThrottled, durationMs };
  }

  private async readBody(request: IncomingMessage): Promise<Buffer> {
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

  private sendJson(
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

  private sendLambdaError(response: ServerResponse, error: SimError): void {
    this.sendJson(response, error.status, error.body(), {
      'x-amzn-errortype': error.type,
      ...error.options.headers,
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/_sim/')) {
      const body = await this.readBody(request);
      const reply = handleControlRequest(
        this,
        request.method ?? 'GET',
        url,
        body.length > 0 ? JSON.parse(body.toString('utf8')) : {},
      );
      this.sendJson(response, reply.status, reply.body);
      return;
    }
    if (isS3Request(request.headers, url)) {
      this.s3.handle(request, response, url, await this.readBody(request));
      return;
    }
    if (isCloudWatchRequest(request.method ?? 'GET', url.pathname, request.headers)) {
      await this.handleCloudWatch(request, response);
      return;
    }
    const route = matchLambdaRoute(request.method ?? 'GET', url.pathname);
    if (!route) {
      this.sendJson(
        response,
        404,
        { message: `Unknown operation ${request.method} ${url.pathname}` },
        { 'x-amzn-errortype': 'UnknownOperationException' },
      );
      return;
    }
    const region = regionOfRequest(request.headers.authorization, this.region);
    const raw = await this.readBody(request);
    let body: Record<string, unknown> = {};
    if (route.operation !== 'Invoke' && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        this.sendLambdaError(
          response,
          new SimError(400, 'SerializationException', 'Could not parse request body into json', {
            hasType: false,
          }),
        );
        return;
      }
    }
    const invocationType = request.headers['x-amz-invocation-type'];
    await this.handleLambda(response, {
      ...route,
      region,
      query: url.searchParams,
      body,
      payload: raw,
      invocationType: typeof invocationType === 'string' ? invocationType : 'RequestResponse',
    });
  }

  private shortName(raw: string | undefined): string | undefined {
    if (!raw) return undefined;
    try {
      return resolveFunctionName(raw, { region: this.region, accountId: this.accountId, isStrict: false })
        .name;
    } catch {
      return raw;
    }
  }

  private async handleLambda(
    response: ServerResponse,
    call: {
      operation: string;
      functionName?: string;
      aliasName?: string;
      region: string;
      query: URLSearchParams;
      body: Record<string, unknown>;
      payload: Buffer;
      invocationType: string;
    },
  ): Promise<void> {
    const functionName = this.shortName(
      call.functionName ?? (typeof call.body.FunctionName === 'string' ? call.body.FunctionName : undefined),
    );
    const { ZipFile: _zip, Code: _code, ...loggable } = call.body;
    const entry: SimCall = {
      operation: call.operation,
      ...(functionName ? { functionName } : {}),
      ...(call.aliasName
        ? { qualifier: call.aliasName }
        : call.query.get('Qualifier')
          ? { qualifier: call.query.get('Qualifier') ?? '' }
          : {}),
      status: 0,
      at: Date.now(),
      request: loggable,
    };
    const match = { operation: call.operation, functionName };
    const context: Context = { region: call.region, accountId: this.accountId };
    let reply: Reply;
    try {
      if (this.quota && call.operation !== 'Invoke') {
        const taken = this.quota.take(call.region, call.operation);
        if (!taken.isAllowed) throw throttled(Math.max(1, Math.ceil(taken.waitMs / 1000)));
      }
      for (const rule of this.faults.fire('latency', match)) await sleep(rule.latencyMs ?? 0);
      const [throttle] = this.faults.fire('throttle', match);
      if (throttle) throw throttled(throttle.retryAfterSeconds ?? 1, throttle.reason);
      if (this.faults.fire('serviceError', match).length > 0) throw serviceError();
      for (const rule of this.faults.fire('outsideChange', match, 'before'))
        this.applyOutsideChange(context, rule);
      reply = await this.execute(context, call);
      const isUpdate =
        call.operation === 'UpdateFunctionCode' || call.operation === 'UpdateFunctionConfiguration';
      // A DryRun changes nothing, so it must not spend the failure meant for the real update.
      if (isUpdate && call.body.DryRun !== true) {
        const [failure] = this.faults.fire('failNextUpdate', { operation: 'any', functionName });
        const fn = functionName ? this.lambda.functions.get(`${call.region}/${functionName}`) : undefined;
        if (failure && fn) {
          fn.latest.pendingFailure = {
            reason: failure.reason ?? 'Update failed',
            reasonCode: failure.reasonCode ?? 'InternalError',
          };
        }
      }
      for (const rule of this.faults.fire('outsideChange', match, 'after'))
        this.applyOutsideChange(context, rule);
    } catch (error) {
      const simError = error instanceof SimError ? error : serviceError();
      entry.status = simError.status;
      entry.errorType = simError.type;
      this.logCall(entry);
      this.sendLambdaError(response, simError);
      return;
    }
    entry.status = reply.status;
    this.logCall(entry);
    if (this.faults.fire('loseResponse', match).length > 0) {
      // The change landed; the caller never hears about it.
      response.socket?.destroy();
      return;
    }
    if (call.operation === 'Invoke') {
      response.writeHead(reply.status, {
        'content-type': 'application/json',
        'x-amzn-requestid': randomUUID(),
        ...reply.headers,
      });
      response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      return;
    }
    this.sendJson(response, reply.status, reply.body, reply.headers);
  }

  private logCall(entry: SimCall): void {
    this.callLog.push(entry);
    if (this.callLog.length > maxCalls) this.callLog.splice(0, this.callLog.length - maxCalls);
  }

  private async execute(
    context: Context,
    call: {
      operation: string;
      functionName?: string;
      aliasName?: string;
      query: URLSearchParams;
      body: Record<string, unknown>;
      invocationType: string;
    },
  ): Promise<Reply> {
    const fn = call.functionName ?? '';
    const alias = call.aliasName ?? '';
    switch (call.operation) {
      case 'CreateFunction':
        return this.lambda.createFunction(context, call.body);
      case 'GetFunction':
        return this.lambda.getFunction(context, fn, call.query);
      case 'GetFunctionConfiguration':
        return this.lambda.getFunctionConfiguration(context, fn, call.query);
      case 'UpdateFunctionCode':
        return this.lambda.updateFunctionCode(context, fn, call.body);
      case 'UpdateFunctionConfiguration':
        return this.lambda.updateFunctionConfiguration(context, fn, call.body);
      case 'PublishVersion':
        return this.lambda.publishVersion(context, fn, call.body);
      case 'ListVersionsByFunction':
        return this.lambda.listVersions(context, fn, call.query);
      case 'CreateAlias':
        return this.lambda.createAlias(context, fn, call.body);
      case 'GetAlias':
        return this.lambda.getAlias(context, fn, alias);
      case 'UpdateAlias':
        return this.lambda.updateAlias(context, fn, alias, call.body);
      case 'DeleteAlias':
        return this.lambda.deleteAlias(context, fn, alias);
      case 'ListAliases':
        return this.lambda.listAliases(context, fn, call.query);
      case 'DeleteFunction':
        return this.lambda.deleteFunction(context, fn, call.query);
      case 'Invoke':
        return this.invokeOverHttp(context, fn, call.query.get('Qualifier'), call.invocationType);
      default:
        throw new SimError(404, 'UnknownOperationException', `Unknown operation ${call.operation}`);
    }
  }

  private async invokeOverHttp(
    context: Context,
    functionName: string,
    qualifier: string | null,
    invocationType: string,
  ): Promise<Reply> {
    if (invocationType === 'DryRun') {
      // DryRun checks that the function and qualifier exist and may be invoked, and runs nothing.
      this.lambda.route(context, functionName, qualifier, this.random);
      return { status: 204 };
    }
    if (invocationType !== 'Event' && invocationType !== 'RequestResponse') {
      throw new SimError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
        { hasType: false },
      );
    }
    const result = this.invoke({ functionName, ...(qualifier ? { qualifier } : {}), region: context.region });
    // An asynchronous invocation is queued and answered at once; Lambda retries a throttled one itself, and
    // it still runs and counts in the metrics.
    if (invocationType === 'Event') return { status: 202 };
    if (result.isThrottled) {
      throw new SimError(429, 'TooManyRequestsException', 'Rate Exceeded.', {
        extraBody: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
      });
    }
    // The caller waits as long as the version takes (capped, so a slow version cannot hang a test).
    await sleep(Math.min(result.durationMs, 10_000));
    const headers: Record<string, string> = { 'X-Amz-Executed-Version': result.executedVersion };
    if (result.isError) {
      headers['X-Amz-Function-Error'] = 'Unhandled';
      return {
        status: 200,
        headers,
        body: { errorType: 'Error', errorMessage: `Simulated failure of version ${result.executedVersion}` },
      };
    }
    return { status: 200, headers, body: { statusCode: 200, version: result.executedVersion } };
  }

  private applyOutsideChange(context: Context, rule: FaultRule): void {
    const fn = rule.functionName
      ? this.lambda.functions.get(`${context.region}/${rule.functionName}`)
      : undefined;
    if (!fn) return;
    if (rule.change === 'alias') {
      const alias = rule.alias ? fn.aliases[rule.alias] : Object.values(fn.aliases)[0];
      if (!alias) return;
      this.lambda.updateAlias(context, fn.name, alias.name, {
        RoutingConfig: { AdditionalVersionWeights: {} },
        Description: 'changed outside Ramp',
      });
      return;
    }
    if (fn.latest.lastUpdateStatus === 'InProgress' || fn.latest.state === 'Pending') return;
    if (rule.change === 'code') {
      const marker = randomUUID();
      this.lambda.beginUpdate(fn, {
        code: {
          sha256: createHash('sha256').update(marker).digest('base64'),
          size: 512,
          behaviour: healthyBehaviour,
        },
      });
    } else {
      this.lambda.beginUpdate(fn, {
        config: { ...fn.latest.config, description: `changed outside Ramp ${new Date().toISOString()}` },
      });
    }
  }

  private async handleCloudWatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const region = regionOfRequest(request.headers.authorization, this.region);
    const raw = await this.readBody(request);
    let call: CloudWatchRequest;
    try {
      call = readCloudWatchRequest(request.headers, raw);
    } catch {
      writeCloudWatchError(response, 'json', {
        status: 400,
        code: 'SerializationException',
        message: 'Could not parse request body',
      });
      return;
    }
    const entry: SimCall = { operation: call.operation, status: 0, at: Date.now(), request: call.body };
    // CloudWatch faults fire only when a rule names the CloudWatch operation, so a blanket Lambda throttle
    // does not also blind the health checks.
    const match = { operation: call.operation, isOperationRequired: true };
    try {
      for (const rule of this.faults.fire('latency', match)) await sleep(rule.latencyMs ?? 0);
      if (this.faults.fire('throttle', match).length > 0)
        throw new CloudWatchError('Throttling', 'Rate exceeded', 400);
      if (this.faults.fire('serviceError', match).length > 0)
        throw new CloudWatchError(
          'InternalServiceError',
          'Internal service error (injected by the simulator).',
          500,
        );
      const result = this.cloudWatch.handle(call.operation, region, call.body);
      entry.status = 200;
      this.logCall(entry);
      if (this.faults.fire('loseResponse', match).length > 0) {
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
      this.logCall(entry);
      writeCloudWatchError(response, call.protocol, {
        status: failure.status,
        code: failure.code,
        message: failure.message,
      });
    }
  }
}
