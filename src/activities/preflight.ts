import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand, type GetFunctionCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { FailureType } from '../domain/failure-types.ts';
import type { HealthConfig } from '../domain/health-spec.ts';
import type { CodeRef } from '../domain/release-input.ts';
import { activityFailure, classify } from './activity-failure.ts';
import type { ActivityDeps } from './deps.ts';
import { fetchAlias } from './read-alias.ts';

export interface PreflightInput {
  functionName: string;
  region: string;
  alias: string;
  code: CodeRef;
  /** A missing alias is created only when the caller said so. */
  createAlias: boolean;
  health?: HealthConfig;
}

export interface PreflightProblem {
  check: 'function' | 'packageType' | 'alias' | 'alarm' | 'hook';
  message: string;
}

export interface PreflightResult {
  problems: PreflightProblem[];
  warnings: string[];
}

/** The function's configuration, or null when Lambda says it does not exist. Throttling etc. is thrown. */
async function readFunction(lambda: LambdaClient, name: string): Promise<GetFunctionCommandOutput | null> {
  try {
    return await lambda.send(new GetFunctionCommand({ FunctionName: name }));
  } catch (error) {
    if (classify(error).type === FailureType.NotFound) return null;
    throw activityFailure('GetFunction', error);
  }
}

/**
 * Read-only checks before a release writes anything: the function, its package type against the code
 * given, the alias, every named alarm and the hooks' functions. It lists every problem, not the first,
 * so one round trip fixes a spec; it never writes. A throttled read is thrown as a retryable failure
 * (Temporal retries it); only a definite answer from AWS becomes a problem.
 */
export function createPreflight(deps: ActivityDeps) {
  return async function preflight(input: PreflightInput): Promise<PreflightResult> {
    const lambda = deps.aws.lambda(input.region);
    const problems: PreflightProblem[] = [];
    const fn = await readFunction(lambda, input.functionName);
    if (!fn) {
      problems.push({
        check: 'function',
        message: `there is no function ${input.functionName} in ${input.region}`,
      });
    } else {
      const packageType = fn.Configuration?.PackageType ?? 'Zip';
      const wantsImage = input.code.kind === 'image';
      if (wantsImage !== (packageType === 'Image')) {
        problems.push({
          check: 'packageType',
          message: `${input.functionName} is a ${packageType} function, but the release gives ${wantsImage ? 'a container image' : 'a zip'}`,
        });
      }
      let alias: Awaited<ReturnType<typeof fetchAlias>>;
      try {
        alias = await fetchAlias(lambda, input.functionName, input.alias);
      } catch (error) {
        throw activityFailure('GetAlias', error);
      }
      if (!alias && !input.createAlias) {
        problems.push({
          check: 'alias',
          message: `${input.functionName} has no alias ${input.alias}; check the name, or set createAlias (--create-alias) for a first release`,
        });
      } else if (alias?.functionVersion === '$LATEST') {
        problems.push({
          check: 'alias',
          message: `alias ${input.alias} points at $LATEST: updating the code would send it to all of the alias's traffic at once, and there is no stable version to roll back to; point the alias at a published version first`,
        });
      }
    }

    const alarms = input.health?.alarms ?? [];
    if (alarms.length > 0) {
      try {
        const found = await deps.aws
          .cloudWatch(input.region)
          .send(
            new DescribeAlarmsCommand({ AlarmNames: alarms, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
          );
        const names = new Set(
          [...(found.MetricAlarms ?? []), ...(found.CompositeAlarms ?? [])].map((alarm) => alarm.AlarmName),
        );
        for (const name of alarms.filter((alarm) => !names.has(alarm))) {
          problems.push({
            check: 'alarm',
            message: `there is no CloudWatch alarm named ${name} in ${input.region}`,
          });
        }
      } catch (error) {
        throw activityFailure('DescribeAlarms', error);
      }
    }

    const hooks = input.health?.hooks;
    for (const stage of ['beforeTraffic', 'afterTraffic'] as const) {
      const hook = hooks?.[stage];
      if (hook && 'lambda' in hook && !(await readFunction(lambda, hook.lambda))) {
        problems.push({
          check: 'hook',
          message: `the ${stage} hook's function ${hook.lambda} does not exist`,
        });
      }
    }
    return { problems, warnings: [] };
  };
}
