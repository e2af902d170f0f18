import { codeFrom } from './code-sources.ts';
import { functionArn, resolveFunctionName } from './function-names.ts';
import type { Context, FunctionRegistry } from './function-registry.ts';
import { aliasOf, codeLocationOf, configurationOf, listEntryOf, pageOf } from './lambda-render.ts';
import {
  type AliasRecord,
  type CodeState,
  type ConfigState,
  type FunctionRecord,
  isSameContent,
  lambdaTimestamp,
  newRevisionId,
  type VersionRecord,
} from './lambda-state.ts';
import { assertVersionExists, qualifierOf, resolveQualifier } from './qualifiers.ts';
import { validateRouting } from './routing-config.ts';
import type { S3Service } from './s3-service.ts';
import {
  functionPending,
  invalidParameter,
  revisionMismatch,
  SimError,
  updateInProgress,
  validationError,
} from './sim-error.ts';

export type { Context } from './function-registry.ts';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Body = Record<string, unknown>;

const aliasPattern = /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Lambda's control plane: every operation Ramp and its users call, with Lambda's documented semantics. */
export class LambdaService {
  constructor(
    private readonly registry: FunctionRegistry,
    private readonly options: { updateDelayMs: number; clock: () => number; s3: S3Service },
  ) {}

  private configuration(
    context: Context,
    fn: FunctionRecord,
    version: VersionRecord | null,
    arnQualifier?: string,
  ) {
    return configurationOf(context, fn, version, this.options.clock(), arnQualifier);
  }

  private assertRevision(expected: unknown, actual: string): void {
    if (typeof expected === 'string' && expected !== actual) throw revisionMismatch();
  }

  private assertUpdatable(context: Context, fn: FunctionRecord): void {
    if (fn.latest.state === 'Pending') throw functionPending();
    if (fn.latest.lastUpdateStatus === 'InProgress') throw updateInProgress(functionArn(context, fn.name));
  }

  createFunction(context: Context, body: Body): Reply {
    const raw = text(body.FunctionName);
    if (!raw) throw validationError('null', 'functionName', 'Member must not be null');
    const ref = resolveFunctionName(raw, { ...context, isStrict: true });
    if (this.registry.has(context.region, ref.name)) {
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
    const code = codeFrom((body.Code ?? {}) as Body, packageType, this.options.s3);
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
    this.registry.add(fn);
    let version: VersionRecord | null = null;
    // The first version comes from the package being created, so it is Active when the function is.
    if (body.Publish === true) version = this.publish(fn, text(body.Description) ?? '', fn.latest.settlesAt);
    this.registry.onChange();
    const reply = this.configuration(context, fn, null);
    // With Publish the response names the new version but keeps the unqualified ARN.
    return { status: 201, body: version ? { ...reply, Version: version.version } : reply };
  }

  getFunction(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn, ref } = this.registry.find(context, raw);
    const qualifier = qualifierOf(ref, query.get('Qualifier') ?? undefined);
    const { version } = resolveQualifier(context, fn, qualifier);
    const code = version ? version.code : fn.latest.code;
    return {
      status: 200,
      body: {
        Configuration: this.configuration(context, fn, version, qualifier),
        Code: codeLocationOf(context, fn, code),
        ...(fn.reservedConcurrency !== undefined
          ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } }
          : {}),
      },
    };
  }

  /** Reserved concurrency: Invoke answers 429 ReservedFunctionConcurrentInvocationLimitExceeded beyond it. */
  putFunctionConcurrency(context: Context, raw: string, body: Record<string, unknown>): Reply {
    const { fn } = this.registry.find(context, raw, true);
    const reserved = body.ReservedConcurrentExecutions;
    if (typeof reserved !== 'number' || !Number.isInteger(reserved) || reserved < 0) {
      throw validationError(
        String(reserved),
        'reservedConcurrentExecutions',
        'Member must have value greater than or equal to 0',
      );
    }
    fn.reservedConcurrency = reserved;
    this.registry.onChange();
    return { status: 200, body: { ReservedConcurrentExecutions: reserved } };
  }

  getFunctionConcurrency(context: Context, raw: string): Reply {
    const { fn } = this.registry.find(context, raw, true);
    return {
      status: 200,
      body:
        fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency },
    };
  }

  deleteFunctionConcurrency(context: Context, raw: string): Reply {
    const { fn } = this.registry.find(context, raw, true);
    delete fn.reservedConcurrency;
    this.registry.onChange();
    return { status: 204 };
  }

  getFunctionConfiguration(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn, ref } = this.registry.find(context, raw);
    const qualifier = qualifierOf(ref, query.get('Qualifier') ?? undefined);
    const { version } = resolveQualifier(context, fn, qualifier);
    return { status: 200, body: this.configuration(context, fn, version, qualifier) };
  }

  updateFunctionCode(context: Context, raw: string, body: Body): Reply {
    const { fn } = this.registry.find(context, raw, true);
    this.assertUpdatable(context, fn);
    this.assertRevision(body.RevisionId, fn.latest.revisionId);
    const code = codeFrom(body, fn.latest.config.packageType, this.options.s3);
    if (body.DryRun === true) return { status: 200, body: this.configuration(context, fn, null) };
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
    this.registry.onChange();
    return { status: 200, body: this.configuration(context, fn, version) };
  }

  updateFunctionConfiguration(context: Context, raw: string, body: Body): Reply {
    const { fn } = this.registry.find(context, raw, true);
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
    this.registry.onChange();
    return { status: 200, body: this.configuration(context, fn, null) };
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
    const { fn } = this.registry.find(context, raw, true);
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
      return { status: 201, body: this.configuration(context, fn, newest) };
    }
    const version = this.publish(fn, text(body.Description) ?? fn.latest.config.description);
    this.registry.onChange();
    return { status: 201, body: this.configuration(context, fn, version) };
  }

  listVersions(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn } = this.registry.find(context, raw);
    const all: Body[] = [
      this.configuration(context, fn, null, '$LATEST'),
      ...fn.versions.map((v) => this.configuration(context, fn, v)),
    ].map(listEntryOf);
    return { status: 200, body: pageOf(all, query, 'Versions') };
  }

  createAlias(context: Context, raw: string, body: Body): Reply {
    const { fn } = this.registry.find(context, raw, true);
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
    assertVersionExists(context, fn, functionVersion);
    const weights = validateRouting(context, fn, functionVersion, body.RoutingConfig);
    const alias: AliasRecord = {
      name,
      functionVersion,
      weights,
      description: text(body.Description) ?? '',
      revisionId: newRevisionId(),
    };
    fn.aliases[name] = alias;
    this.registry.recordAlias(fn, alias);
    return { status: 201, body: aliasOf(context, fn, alias) };
  }

  getAlias(context: Context, raw: string, name: string): Reply {
    const { fn } = this.registry.find(context, raw);
    const alias = fn.aliases[name];
    if (!alias) {
      throw new SimError(
        404,
        'ResourceNotFoundException',
        `Cannot find alias arn: ${functionArn(context, fn.name, name)}`,
        { messageKey: 'Message' },
      );
    }
    return { status: 200, body: aliasOf(context, fn, alias) };
  }

  updateAlias(context: Context, raw: string, name: string, body: Body): Reply {
    const { fn } = this.registry.find(context, raw, true);
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
    assertVersionExists(context, fn, functionVersion);
    const weights = validateRouting(
      context,
      fn,
      functionVersion,
      body.RoutingConfig !== undefined ? body.RoutingConfig : { AdditionalVersionWeights: alias.weights },
    );
    alias.functionVersion = functionVersion;
    alias.weights = weights;
    if (typeof body.Description === 'string') alias.description = body.Description;
    alias.revisionId = newRevisionId();
    this.registry.recordAlias(fn, alias);
    return { status: 200, body: aliasOf(context, fn, alias) };
  }

  deleteAlias(context: Context, raw: string, name: string): Reply {
    const { fn } = this.registry.find(context, raw, true);
    // DeleteAlias answers 204 even for an alias that does not exist.
    delete fn.aliases[name];
    this.registry.onChange();
    return { status: 204 };
  }

  listAliases(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn } = this.registry.find(context, raw);
    const filter = query.get('FunctionVersion');
    const aliases = Object.values(fn.aliases)
      .filter((alias) => !filter || alias.functionVersion === filter || filter in alias.weights)
      .map((alias) => aliasOf(context, fn, alias));
    return { status: 200, body: pageOf(aliases, query, 'Aliases') };
  }

  deleteFunction(context: Context, raw: string, query: URLSearchParams): Reply {
    const { fn, ref } = this.registry.find(context, raw);
    const qualifier = qualifierOf(ref, query.get('Qualifier') ?? undefined);
    if (!qualifier) {
      this.registry.remove(context.region, fn.name);
      this.registry.onChange();
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
    this.registry.onChange();
    return { status: 204 };
  }
}
