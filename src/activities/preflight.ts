import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  type GetAliasCommandOutput,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListAliasesCommand,
} from '@aws-sdk/client-lambda';
import { FailureType } from '../domain/failure-types.ts';
import type { HealthConfig } from '../domain/health-spec.ts';
import type { FunctionTarget } from '../domain/lambda-state.ts';
import type { CodeRef } from '../domain/release-input.ts';
import { accountOfRoleArn, type TargetRole } from '../domain/role-arn.ts';
import { activityFailure, classify } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { budgetQueueOf } from './lambda-budget-queue.ts';
import { aliasStateOf } from './read-alias.ts';
import { functionReadOf } from './read-target.ts';
import { roleSessionOf } from './role-session.ts';

export interface PreflightInput extends TargetRole {
  functionName: string;
  region: string;
  alias: string;
  code: CodeRef;
  /** Creating the alias must be asked for: a typo in its name must not silently make a new one. */
  createAlias?: boolean;
  health?: HealthConfig;
}

export type PreflightCheck =
  | 'function'
  | 'packageType'
  | 'version'
  | 'alias'
  | 'aliasTarget'
  | 'alarms'
  | 'hooks';

export interface PreflightProblem {
  check: PreflightCheck;
  message: string;
}

export interface PreflightResult {
  /** Every problem found (not only the first); any one of them means the release must not start. */
  problems: PreflightProblem[];
  /** Allowed, but worth saying before traffic moves. */
  warnings: string[];
  /**
   * The function and its alias as the checks read them, when the function exists: the release's starting
   * point, so the release reads neither again (releases from before `ramp-lean-start-v7` ignore it and read
   * them with `readTarget`).
   */
  target?: FunctionTarget;
}

/** A read whose NotFound is an answer (undefined), not an error; anything else that fails is thrown, classified. */
async function readOrNotFound<T>(operation: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (classify(error).type === FailureType.NotFound) return undefined;
    throw activityFailure(operation, error);
  }
}

async function existingAlarmNames(cloudWatch: CloudWatchClient, names: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await cloudWatch
      .send(
        new DescribeAlarmsCommand({
          AlarmNames: names,
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      )
      .catch((error: unknown) => {
        throw activityFailure('DescribeAlarms', error);
      });
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      if (alarm.AlarmName) found.add(alarm.AlarmName);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return found;
}

async function aliasNamesOf(lambda: LambdaClient, functionName: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda
      .send(new ListAliasesCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }))
      .catch((error: unknown) => {
        throw activityFailure('ListAliases', error);
      });
    for (const alias of page.Aliases ?? []) if (alias.Name) names.push(alias.Name);
    marker = page.NextMarker;
  } while (marker);
  return names;
}

/**
 * Everything that can be known wrong before any write, found with read-only calls: the function, its package type
 * against the code given, the alias (and that it is not on `$LATEST`), every named alarm (one DescribeAlarms) and
 * each Lambda hook's target. It collects every problem, so a person fixes them in one go. A throttled or failing
 * read throws its classified failure (Temporal retries it); a NotFound is a problem, not an exception.
 */
export function createPreflight(deps: ActivityDeps) {
  return async function preflight(input: PreflightInput): Promise<PreflightResult> {
    const role = roleSessionOf(input);
    const lambda = deps.aws.lambda(input.region, role);
    const problems: PreflightProblem[] = [];
    const warnings: string[] = [];
    let target: FunctionTarget | undefined;
    // A cross-account release assumes its role before anything else: a role that cannot be assumed fails here,
    // terminally (AccessDenied) and naming the role, before any read or write.
    if (role) {
      await lambda.config.credentials().catch((error: unknown) => {
        throw activityFailure('AssumeRole', error, { roleArn: role.roleArn });
      });
    }

    const fn: GetFunctionCommandOutput | undefined = await readOrNotFound('GetFunction', () =>
      lambda.send(new GetFunctionCommand({ FunctionName: input.functionName })),
    );
    if (!fn) {
      problems.push({
        check: 'function',
        message: `function ${input.functionName} does not exist in ${input.region}: check the name and region`,
      });
    } else {
      const packageType = fn.Configuration?.PackageType ?? 'Zip';
      const codeType = input.code.kind === 'image' ? 'Image' : 'Zip';
      if (input.code.kind === 'version') {
        const { version } = input.code;
        const published = await readOrNotFound('GetFunctionConfiguration', () =>
          lambda.send(
            new GetFunctionConfigurationCommand({ FunctionName: input.functionName, Qualifier: version }),
          ),
        );
        if (!published) {
          problems.push({
            check: 'version',
            message: `version ${version} of ${input.functionName} does not exist in ${input.region}: release an existing version (aws lambda list-versions-by-function), or give code to publish a new one`,
          });
        }
      } else if (packageType !== codeType) {
        problems.push({
          check: 'packageType',
          message:
            `function ${input.functionName} is packaged as ${packageType === 'Image' ? 'a container image' : 'a .zip file'}, ` +
            `but the release gives ${codeType === 'Image' ? 'an image' : 'a .zip package'}: Lambda cannot change a function's package type`,
        });
      }
      const alias: GetAliasCommandOutput | undefined = await readOrNotFound('GetAlias', () =>
        lambda.send(new GetAliasCommand({ FunctionName: input.functionName, Name: input.alias })),
      );
      if (!alias && !input.createAlias) {
        const existing = await aliasNamesOf(lambda, input.functionName);
        problems.push({
          check: 'alias',
          message:
            `alias ${input.alias} does not exist on ${input.functionName} ` +
            `(its aliases: ${existing.length > 0 ? existing.join(', ') : 'none'}). ` +
            'To create it with this release, ask for that explicitly: createAlias: true (ramp release start --create-alias)',
        });
      }
      target = { ...functionReadOf(fn.Configuration ?? {}), alias: alias ? aliasStateOf(alias) : null };
      if (alias?.FunctionVersion === '$LATEST') {
        problems.push({
          check: 'aliasTarget',
          message:
            `alias ${input.alias} points at $LATEST, so UpdateFunctionCode would send the new code to 100% of its traffic at ` +
            'once, and there would be no stable version to roll back to. Point the alias at a published version ' +
            `(aws lambda publish-version, then update-alias --function-version N) and release again`,
        });
      }
    }

    const alarms = input.health?.alarms ?? [];
    if (alarms.length > 0) {
      const found = await existingAlarmNames(deps.aws.cloudWatch(input.region, roleSessionOf(input)), alarms);
      const missing = alarms.filter((name) => !found.has(name));
      if (missing.length > 0) {
        problems.push({
          check: 'alarms',
          message: `no CloudWatch alarm named ${missing.join(', ')} in ${input.region}`,
        });
      }
    }

    for (const [stage, hook] of Object.entries(input.health?.hooks ?? {})) {
      if (typeof hook !== 'object' || !('lambda' in hook)) continue;
      const target = await readOrNotFound('GetFunction', () =>
        lambda.send(new GetFunctionCommand({ FunctionName: hook.lambda })),
      );
      const hookTimeoutMs = input.health?.hooks?.timeoutMs;
      const functionTimeoutMs = (target?.Configuration?.Timeout ?? 0) * 1000;
      if (!target) {
        problems.push({
          check: 'hooks',
          message: `the ${stage} hook's function ${hook.lambda} does not exist in ${input.region}`,
        });
      } else if (hookTimeoutMs !== undefined && functionTimeoutMs > hookTimeoutMs) {
        // Aborting the Invoke stops Ramp waiting, not the function: Lambda runs it to its own Timeout.
        warnings.push(
          `the ${stage} hook's function ${hook.lambda} may run for ${functionTimeoutMs / 1000} s (its Timeout), longer ` +
            `than the hook timeout of ${hookTimeoutMs / 1000} s: after a timeout, a retry could run it while the first ` +
            "call still runs. Set the function's Timeout below the hook timeout.",
        );
      }
    }

    if (role && deps.lambdaBudgetQueues?.has(input.region) && budgetQueueOf(deps, input) === null) {
      warnings.push(
        `the Lambda budget does not cover account ${accountOfRoleArn(role.roleArn)} in ${input.region}: no worker is ` +
          "configured to poll its budgeted queue (RAMP_TARGET_ACCOUNTS), so this release's Lambda calls are not " +
          'rate-limited (docs/scale.md)',
      );
    }

    // A release that moves traffic with no checks is warned about by the workflow (releaseWarnings), which
    // knows the plan; this activity only reports what it read.
    return { problems, warnings, ...(target ? { target } : {}) };
  };
}
