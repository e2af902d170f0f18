import { createHash } from 'node:crypto';
import { type Behaviour, behaviourOfLabel, behaviourOfZip, healthyBehaviour } from './behaviour.ts';
import { functionArn, type ResolvedName, resolveFunctionName } from './function-names.ts';
import {
  type AliasRecord,
  type CodeState,
  type ConfigState,
  type FunctionRecord,
  isSameContent,
  lambdaTimestamp,
  newRevisionId,
  settle,
  type VersionRecord,
} from './lambda-state.ts';
import { codeFromS3 } from './s3-code.ts';
import type { S3Service } from './s3-service.ts';
import {
  functionNotFound,
  functionPending,
  invalidParameter,
  revisionMismatch,
  SimError,
  updateInProgress,
  validationError,
} from './sim-error.ts';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Context {
  region: string;
  accountId: string;
}

type Body = Record<string, unknown>;

const aliasPattern = /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Lambda's control plane: every operation Ramp and its users call, with Lambda's documented semantics. */
export class LambdaService {
  readonly functions = new Map<string, FunctionRecord>();
  /** Every state each alias has been in, for tests that assert the sequence of weights. */
  readonly aliasHistory = new Map<
    string,
    {
      functionVersion: string;
      additionalVersionWeights: Record<string, number>;
      revisionId: string;
      at: number;
    }[]
  >();
  onChange: () => void = () => {};

  constructor(
    readonly options: { accountId: string; updateDelayMs: number; clock: () => number; s3: S3Service },
  ) {}

  private key(region: string, name: string) {
    return `${region}/${name}`;
  }

  /** The function named in a request, settled to now; 404 as Lambda words it when absent. */
  find(context: Context, raw: string, isStrict = false): { fn: FunctionRecord; ref: ResolvedName } {
    const ref = resolveFunctionName(raw, { ...context, isStrict });
    const fn = this.functions.get(this.key(context.region, ref.name));
    if (!fn) throw functionNotFound(functionArn(context, ref.name, ref.qualifier));
    settle(fn, this.options.clock());
    return { fn, ref };
  }

  private recordAlias(fn: FunctionRecord, alias: AliasRecord): void {
    const key = this.key(fn.region, `${fn.name}:${alias.name}`);
    const list = this.aliasHistory.get(key) ?? [];
    list.push({
      functionVersion: alias.functionVersion,
      additionalVersionWeights: { ...alias.weights },
      revisionId: alias.revisionId,
      at: this.options.clock(),
    });
    this.aliasHistory.set(key, list);
    this.onChange();
  }

  historyOf(region: string, name: string, alias: string) {
    return this.aliasHistory.get(this.key(region, `${name}:${alias}`)) ?? [];
  }

  // ---- code sources ----

  private codeFrom(body: Body, packageType: 'Zip' | 'Image'): CodeState {
    const zip = text(body.ZipFile);
    const imageUri = text(body.ImageUri);
    const bucket = text(body.S3Bucket);
    if (packageType === 'Image' && !imageUri) {
      throw invalidParameter('Please provide ImageUri when updating a function with packageType Image.');
    }
    if (packageType === 'Zip' && imageUri) {
      throw invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.");
    }
    if (zip !== undefined) {
      const bytes = Buffer.from(zip, 'base64');
      if (bytes.length > 52_428_800)
        throw new SimError(
          413,
          'RequestEntityTooLargeException',
          'Zipped size must be smaller than 52428800 bytes',
          { hasType: false },
        );
      const behaviour = behaviourOfZip(bytes);
      if (!behaviour)
        throw invalidParameter(
          'Could not unzip uploaded file. Please check your file, then try to upload again.',
        );
      return { sha256: createHash('sha256').update(bytes).digest('base64'), size: bytes.length, behaviour };
    }
    if (bucket)
      return codeFromS3(this.options.s3, bucket, text(body.S3Key) ?? '', text(body.S3ObjectVersion));
    if (imageUri) {
      const sha256 = createHash('sha256').update(imageUri).digest('base64');
      return { sha256, size: 0, behaviour: behaviourOfLabel(imageUri), imageUri };
    }
    throw invalidParameter('A ZIP file, S3 bucket, or image is required');
  }

  // ---- rendering ----

  configurationOf(
    context: Context,
    fn: FunctionRecord,
    version: VersionRecord | null,
    arnQualifier?: string,
  ): Body {
    const latest = fn.latest;
    const source = version ?? latest;
    const config = source.config;
    const body: Body = {
      FunctionName: fn.name,
      FunctionArn: functionArn(context, fn.name, arnQualifier ?? (version ? version.version : undefined)),
      ...(config.runtime ? { Runtime: config.runtime } : {}),
      Role: config.role,
      ...(config.handler ? { Handler: config.handler } : {}),
      CodeSize: source.code.size,
      Description: version ? version.description : config.description,
      Timeout: config.timeout,
      MemorySize: config.memorySize,
      LastModified: source.lastModified,
      CodeSha256: source.code.sha256,
      Version: version ? version.version : '$LATEST',
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: source.revisionId,
      PackageType: config.packageType,
      Architectures: config.architectures,
      EphemeralStorage: { Size: 512 },
    };
    if (version && version.activeAt !== undefined && this.options.clock() < version.activeAt) {
      body.State = 'Pending';
      body.StateReason = 'The function is being created.';
      body.StateReasonCode = 'Creating';
    } else if (version) {
      body.State = 'Active';
      body.LastUpdateStatus = 'Successful';
    } else {
      body.State = latest.state;
      if (latest.state === 'Pending') {
        body.StateReason = 'The function is being created.';
        body.StateReasonCode = 'Creating';
      }
      if (latest.lastUpdateStatus) body.LastUpdateStatus = latest.lastUpdateStatus;
      if (latest.lastUpdateStatus === 'InProgress') {
        body.LastUpdateStatusReason = 'The function is being created.';
        body.LastUpdateStatusReasonCode = 'Creating';
      } else if (latest.lastUpdateStatus === 'Failed') {
        body.LastUpdateStatusReason = latest.lastUpdateStatusReason;
        body.LastUpdateStatusReasonCode = latest.lastUpdateStatusReasonCode;
      }
    }
    return body;
  }

  aliasOf(context: Context, fn: FunctionRecord, alias: AliasRecord): Body {
    const weights = Object.keys(alias.weights).length > 0;
    return {
      AliasArn: functionArn(context, fn.name, alias.name),
      Name: alias.name,
      FunctionVersion: alias.functionVersion,
      Description: alias.description,
      RevisionId: alias.revisionId,
      // Lambda omits RoutingConfig when there is no additional version.
      ...(weights ? { RoutingConfig: { AdditionalVersionWeights: { ...alias.weights } } } : {}),
    };
  }

  private codeLocation(context: Context, fn: FunctionRecord, code: CodeState): Body {
    return code.imageUri
      ? {
          RepositoryType: 'ECR',
          ImageUri: code.imageUri,
          ResolvedImageUri: `${code.imageUri.split(':')[0]}@sha256:${Buffer.from(code.sha256, 'base64').toString('hex')}`,
        }
      : {
          RepositoryType: 'S3',
          Location: `https://awslambda-${context.region}-tasks.s3.${context.region}.amazonaws.com/snapshots/${this.options.accountId}/${fn.name}`,
        };
  }

  /** A version or alias named by qualifier; `$LATEST` is null. */
  private resolveQualifier(
    context: Context,
    fn: FunctionRecord,
    qualifier: string | undefined,
  ): { version: VersionRecord | null; alias?: AliasRecord } {
    if (!qualifier || qualifier === '$LATEST') return { version: null };
    if (/^\d+$/.test(qualifier)) {
      const version = fn.versions.find((v) => v.version === qualifier);
      if (!version) throw functionNotFound(functionArn(context, fn.name, qualifier));
      return { version };
    }
    const alias = fn.aliases[qualifier];
    if (!alias) throw functionNotFound(functionArn(context, fn.name, qualifier));
    return { version: fn.versions.find((v) => v.version === alias.functionVersion) ?? null, alias };
  }

  private qualifierOf(ref: ResolvedName, query: URLSearchParams): string | undefined {
    const param = query.get('Qualifier') ?? undefined;
    if (param && ref.qualifier && param !== ref.qualifier) {
      throw invalidParameter(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    return param ?? ref.qualifier;
  }

  private assertRevision(expected: unknown, actual: string): void {
    if (typeof expected === 'string' && expected !== actual) throw revisionMismatch();
  }

  private assertUpdatable(context: Context, fn: FunctionRecord): void {
    if (fn.latest.state === 'Pending') throw functionPending();
    if (fn.latest.lastUpdateStatus === 'InProgress') throw updateInProgress(functionArn(context, fn.name));
  }

  // ---- operations ----

  createFunction(context: Context, body: Body): Reply {
    const raw = text(body.FunctionName);
    if (!raw) throw validationError('null', 'functionName', 'Member must not be null');
    const ref = resolveFunctionName(raw, { ...context, isStrict: true });
    const key = this.key(context.region, ref.name);
    if (this.functions.has(key)) {
      throw new SimError(409, 'ResourceConflictException', `Function already exist: ${ref.name}`);
    }
    const role = text(body.Role);
    if (!role || !/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(role)) {
      throw validationError(
        String(role),
        'role',
        'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+',
      );
    }
    const packageType = body.PackageType === 'Image' ? 'Image' : 'Zip';
    const code = this.codeFrom((body.Code ?? {}) as Body, packageType);
    const now = this.options.clock();
    const config: ConfigState = {
      ...(typeof body.Runtime === 'string' ? { runtime: body.Runtime } : {}),
      role,
      ...(typeof body.Handler === 'string' ? { handler: body.Handler } : {}),
      description: text(body.Description) ?? '',
      timeout: typeof body.Timeout === 'number' ? body.Timeout : 3,
      memorySize: typeof body.MemorySize === 'number' ? body.MemorySize : 128,
      packageType,
      architectures: Array.isArray(body.Architectures) ? (body.Architectures as string[]) : ['x86_64'],
    };
    const fn: FunctionRecord = {
      name: ref.name,
      region: context.region,
      latest: {
        code,
        config,
        servingCode: code,
        revisionId: newRevisionId(),
        lastModified: lambdaTimestamp(now),
        state: 'Pending',
        lastUpdateStatus: undefined,
        settlesAt: now + this.options.updateDelayMs,
      },
      versions: [],
      nextVersion: 1,
      aliases: {},
    };
    this.functions.set(key, fn);
    let version: VersionRecord | null = null;
    // The first version comes from the package being created, so it is Active when the function is.
    if (body.Publish === true) version = this.publish(fn, text(body.Description) ?? '', fn.latest.settlesAt);
    this.onChange();
    const reply = this.configurationOf(context, fn, null);
    // With Publish the response names the new version but keeps the unqualified ARN.
    return { status: 201, body: version ? { ...reply, Version: version.version } : reply };
  }

  getFunction(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn, ref } = this.find(context, raw);
    const qualifier = this.qualifierOf(ref, query);
    const { version } = this.resolveQualifier(context, fn, qualifier);
    const code = version ? version.code : fn.latest.code;
    return {
      status: 200,
      body: {
        Configuration: this.configurationOf(context, fn, version, qualifier),
        Code: this.codeLocation(context, fn, code),
      },
    };
  }

  getFunctionConfiguration(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn, ref } = this.find(context, raw);
    const qualifier = this.qualifierOf(ref, query);
    const { version } = this.resolveQualifier(context, fn, qualifier);
    return { status: 200, body: this.configurationOf(context, fn, version, qualifier) };
  }

  updateFunctionCode(context: Context, raw: string, body: Body): Reply {
    const { fn } = this.find(context, raw, true);
    this.assertUpdatable(context, fn);
    this.assertRevision(body.RevisionId, fn.latest.revisionId);
    const code = this.codeFrom(body, fn.latest.config.packageType);
    if (body.DryRun === true) return { status: 200, body: this.configurationOf(context, fn, null) };
    this.beginUpdate(fn, { code });
    let version: VersionRecord | null = null;
    if (body.Publish === true) {
      // Publish has "the same effect as calling PublishVersion separately", so unchanged code and
      // configuration give back the newest version; a new one is Pending until the update settles.
      const newest = fn.versions.at(-1);
      version =
        newest && isSameContent(newest, fn.latest)
          ? newest
          : this.publish(fn, fn.latest.config.description, fn.latest.settlesAt);
    }
    this.onChange();
    return {
      status: 200,
      body: version ? this.configurationOf(context, fn, version) : this.configurationOf(context, fn, null),
    };
  }

  updateFunctionConfiguration(context: Context, raw: string, body: Body): Reply {
    const { fn } = this.find(context, raw, true);
    this.assertUpdatable(context, fn);
    this.assertRevision(body.RevisionId, fn.latest.revisionId);
    const config = { ...fn.latest.config };
    if (typeof body.Description === 'string') config.description = body.Description;
    if (typeof body.Timeout === 'number') config.timeout = body.Timeout;
    if (typeof body.MemorySize === 'number') config.memorySize = body.MemorySize;
    if (typeof body.Handler === 'string') config.handler = body.Handler;
    if (typeof body.Runtime === 'string') config.runtime = body.Runtime;
    if (typeof body.Role === 'string') config.role = body.Role;
    this.beginUpdate(fn, { config });
    this.onChange();
    return { status: 200, body: this.configurationOf(context, fn, null) };
  }

  /** An update: InProgress with a new RevisionId now, and another new one when it settles. */
  beginUpdate(fn: FunctionRecord, change: { code?: CodeState; config?: ConfigState }): void {
    const now = this.options.clock();
    const latest = fn.latest;
    if (change.code) latest.code = change.code;
    if (change.config) latest.config = change.config;
    latest.lastUpdateStatus = 'InProgress';
    latest.revisionId = newRevisionId();
    latest.lastModified = lambdaTimestamp(now);
    latest.settlesAt = now + this.options.updateDelayMs;
  }

  private publish(fn: FunctionRecord, description: string, activeAt?: number): VersionRecord {
    const now = this.options.clock();
    const version: VersionRecord = {
      version: String(fn.nextVersion++),
      code: fn.latest.code,
      config: { ...fn.latest.config },
      description,
      revisionId: newRevisionId(),
      lastModified: lambdaTimestamp(now),
      ...(activeAt !== undefined ? { activeAt } : {}),
    };
    fn.versions.push(version);
    // PublishVersion rotates $LATEST's RevisionId too.
    fn.latest.revisionId = newRevisionId();
    return version;
  }

  publishVersion(context: Context, raw: string, body: Body): Reply {
    const { fn } = this.find(context, raw, true);
    this.assertUpdatable(context, fn);
    this.assertRevision(body.RevisionId, fn.latest.revisionId);
    const codeSha256 = text(body.CodeSha256);
    if (codeSha256 !== undefined && codeSha256 !== fn.latest.code.sha256) {
      throw invalidParameter(
        `CodeSHA256 (${codeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    const newest = fn.versions.at(-1);
    // Nothing changed since the newest version: Lambda returns it (with its old description), creating nothing.
    if (newest && isSameContent(newest, fn.latest)) {
      return { status: 201, body: this.configurationOf(context, fn, newest) };
    }
    const version = this.publish(fn, text(body.Description) ?? fn.latest.config.description);
    this.onChange();
    return { status: 201, body: this.configurationOf(context, fn, version) };
  }

  listVersions(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn } = this.find(context, raw);
    const all: Body[] = [
      { ...this.configurationOf(context, fn, null, '$LATEST') },
      ...fn.versions.map((v) => this.configurationOf(context, fn, v)),
    ].map((entry) => {
      // List entries omit the state fields.
      const {
        State: _s,
        LastUpdateStatus: _l,
        StateReason: _r,
        StateReasonCode: _c,
        LastUpdateStatusReason: _lr,
        LastUpdateStatusReasonCode: _lc,
        ...rest
      } = entry;
      return rest;
    });
    return { status: 200, body: this.page(all, query, 'Versions') };
  }

  private page(items: Body[], query: URLSearchParams, key: string): Body {
    const start = Number(query.get('Marker') ?? 0) || 0;
    const size = Math.min(50, Number(query.get('MaxItems') ?? 50) || 50);
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { [key]: slice, ...(next ? { NextMarker: next } : {}) };
  }

  private validateRouting(
    context: Context,
    fn: FunctionRecord,
    functionVersion: string,
    routing: unknown,
  ): Record<string, number> {
    const weights = ((routing as Body | undefined)?.AdditionalVersionWeights ?? {}) as Record<
      string,
      unknown
    >;
    const entries = Object.entries(weights);
    for (const [version, weight] of entries) {
      if (!/^[0-9]+$/.test(version)) {
        throw validationError(
          `{${version}=${weight}}`,
          'routingConfig.additionalVersionWeights',
          'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]',
        );
      }
      if (typeof weight !== 'number' || weight < 0 || weight > 1) {
        throw validationError(
          `{${version}=${Number(weight).toFixed(1)}}`,
          'routingConfig.additionalVersionWeights',
          'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]',
        );
      }
    }
    if (entries.length > 1)
      throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
    if (entries.length === 1 && functionVersion === '$LATEST') {
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version', {
        hasType: false,
      });
    }
    for (const [version] of entries) {
      if (version === functionVersion) {
        throw invalidParameter(
          `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`,
        );
      }
      if (!fn.versions.some((v) => v.version === version))
        throw functionNotFound(functionArn(context, fn.name, version));
    }
    return Object.fromEntries(entries) as Record<string, number>;
  }

  private assertVersionExists(context: Context, fn: FunctionRecord, functionVersion: string): void {
    if (functionVersion !== '$LATEST' && !fn.versions.some((v) => v.version === functionVersion)) {
      throw functionNotFound(functionArn(context, fn.name, functionVersion));
    }
  }

  createAlias(context: Context, raw: string, body: Body): Reply {
    const { fn } = this.find(context, raw, true);
    const name = text(body.Name) ?? '';
    if (!aliasPattern.test(name)) {
      throw validationError(
        name,
        'name',
        'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)',
      );
    }
    const functionVersion = text(body.FunctionVersion) ?? '';
    if (fn.aliases[name])
      throw new SimError(
        409,
        'ResourceConflictException',
        `Alias already exists: ${functionArn(context, fn.name, name)}`,
      );
    this.assertVersionExists(context, fn, functionVersion);
    const weights = this.validateRouting(context, fn, functionVersion, body.RoutingConfig);
    const alias: AliasRecord = {
      name,
      functionVersion,
      weights,
      description: text(body.Description) ?? '',
      revisionId: newRevisionId(),
    };
    fn.aliases[name] = alias;
    this.recordAlias(fn, alias);
    return { status: 201, body: this.aliasOf(context, fn, alias) };
  }

  getAlias(context: Context, raw: string, name: string): Reply {
    const { fn } = this.find(context, raw);
    const alias = fn.aliases[name];
    if (!alias) {
      throw new SimError(
        404,
        'ResourceNotFoundException',
        `Cannot find alias arn: ${functionArn(context, fn.name, name)}`,
        { messageKey: 'Message' },
      );
    }
    return { status: 200, body: this.aliasOf(context, fn, alias) };
  }

  updateAlias(context: Context, raw: string, name: string, body: Body): Reply {
    const { fn } = this.find(context, raw, true);
    const alias = fn.aliases[name];
    if (!alias) {
      throw new SimError(
        404,
        'ResourceNotFoundException',
        `Alias not found: ${functionArn(context, fn.name, name)}`,
        { messageKey: 'Message' },
      );
    }
    this.assertRevision(body.RevisionId, alias.revisionId);
    const functionVersion = text(body.FunctionVersion) ?? alias.functionVersion;
    this.assertVersionExists(context, fn, functionVersion);
    const weights =
      body.RoutingConfig !== undefined
        ? this.validateRouting(context, fn, functionVersion, body.RoutingConfig)
        : this.validateRouting(context, fn, functionVersion, { AdditionalVersionWeights: alias.weights });
    alias.functionVersion = functionVersion;
    alias.weights = weights;
    if (typeof body.Description === 'string') alias.description = body.Description;
    alias.revisionId = newRevisionId();
    this.recordAlias(fn, alias);
    return { status: 200, body: this.aliasOf(context, fn, alias) };
  }

  deleteAlias(context: Context, raw: string, name: string): Reply {
    const { fn } = this.find(context, raw, true);
    // DeleteAlias answers 204 even for an alias that does not exist.
    delete fn.aliases[name];
    this.onChange();
    return { status: 204 };
  }

  listAliases(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn } = this.find(context, raw);
    const filter = query.get('FunctionVersion');
    const aliases = Object.values(fn.aliases)
      .filter((alias) => !filter || alias.functionVersion === filter || filter in alias.weights)
      .map((alias) => this.aliasOf(context, fn, alias));
    return { status: 200, body: this.page(aliases, query, 'Aliases') };
  }

  deleteFunction(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn, ref } = this.find(context, raw);
    const qualifier = this.qualifierOf(ref, query);
    if (!qualifier) {
      this.functions.delete(this.key(context.region, fn.name));
      this.onChange();
      return { status: 204 };
    }
    if (qualifier === '$LATEST')
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (!/^\d+$/.test(qualifier)) throw invalidParameter('Deletion of aliases is not currently supported.');
    const users = Object.values(fn.aliases)
      .filter((alias) => alias.functionVersion === qualifier)
      .map((alias) => alias.name);
    if (users.length > 0) {
      throw new SimError(
        409,
        'ResourceConflictException',
        `Unable to delete version because the following aliases reference it: [${users.join(', ')}]`,
      );
    }
    fn.versions = fn.versions.filter((v) => v.version !== qualifier);
    this.onChange();
    return { status: 204 };
  }

  /** Which version runs an invocation of `qualifier`, and how it behaves. Routing by the alias's weights. */
  route(
    context: Context,
    raw: string,
    qualifierParam: string | null,
    random: () => number,
  ): { fn: FunctionRecord; executedVersion: string; behaviour: Behaviour; viaAlias: string | undefined } {
    const requested = resolveFunctionName(raw, { ...context, isStrict: false });
    if (!this.functions.has(this.key(context.region, requested.name))) {
      // Invoke names what it would have run: an unqualified call on a missing function is `…:$LATEST`.
      throw functionNotFound(
        functionArn(context, requested.name, requested.qualifier ?? qualifierParam ?? '$LATEST'),
      );
    }
    const { fn, ref } = this.find(context, raw);
    const qualifier = this.qualifierOf(
      ref,
      new URLSearchParams(qualifierParam ? { Qualifier: qualifierParam } : {}),
    );
    if (fn.latest.state === 'Pending') throw functionPending();
    const { version, alias } = this.resolveQualifier(context, fn, qualifier);
    if (alias) {
      let executed = alias.functionVersion;
      let roll = random();
      for (const [extra, weight] of Object.entries(alias.weights)) {
        if (roll < weight) {
          executed = extra;
          break;
        }
        roll -= weight;
      }
      const record = fn.versions.find((v) => v.version === executed);
      return {
        fn,
        executedVersion: executed,
        behaviour: (record?.code ?? fn.latest.servingCode).behaviour,
        viaAlias: alias.name,
      };
    }
    if (version)
      return { fn, executedVersion: version.version, behaviour: version.code.behaviour, viaAlias: undefined };
    return {
      fn,
      executedVersion: '$LATEST',
      behaviour: fn.latest.servingCode.behaviour ?? healthyBehaviour,
      viaAlias: undefined,
    };
  }
}
