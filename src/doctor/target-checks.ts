/**
 * `ramp doctor`'s checks: what a release into one function alias needs, tried with read-only calls through the
 * real SDK, and UpdateFunctionCode with `DryRun: true`, which Lambda answers after checking the caller's
 * permission and the request without changing the function. Each check names the IAM action it needs, so a
 * failed one says what to grant.
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  type LambdaClient,
  ListVersionsByFunctionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { classifyAwsError } from '../aws/classify-error.ts';
import { FailureType } from '../domain/failure-types.ts';

/** ok: works; missing: a permission or a resource is not there; error: anything else; skipped: not tried. */
export type CheckResult = 'ok' | 'missing' | 'error' | 'skipped';

export interface CheckRow {
  check: string;
  result: CheckResult;
  /** The IAM action the check needs (what to grant when it is missing). */
  iamAction: string;
  detail: string;
  /** A release needs it: a required row that is not ok means a release could not run. */
  isRequired: boolean;
}

export interface TargetChecksInput {
  functionName: string;
  alias: string;
  region: string;
  /** Alarms a release spec would name (health.alarms); each must exist. */
  alarms: readonly string[];
  /** The release would create a missing alias (createAlias: true). */
  createAlias?: boolean;
}

/** Actions a release also needs that no read-only call or dry run can prove: the report lists them. */
export const uncheckableActions = ['lambda:PublishVersion', 'lambda:UpdateAlias'] as const;

/** A failed call's row: a denial names the action to grant, a NotFound the resource, anything else the error. */
function failedRow(base: Omit<CheckRow, 'result' | 'detail'>, error: unknown, notFound: string): CheckRow {
  const classified = classifyAwsError(error);
  if (classified.type === FailureType.AccessDenied)
    return { ...base, result: 'missing', detail: `access denied: grant ${base.iamAction}` };
  if (classified.type === FailureType.NotFound) return { ...base, result: 'missing', detail: notFound };
  return {
    ...base,
    result: 'error',
    detail: `${classified.awsErrorName ?? classified.type}: ${classified.message}`,
  };
}

/** A deployment package small enough to send as a dry run's code: its content never reaches the function. */
function dryRunZip(): Uint8Array {
  return zipSync({ 'ramp-doctor.txt': new TextEncoder().encode('ramp doctor dry run\n') });
}

export async function runTargetChecks(
  clients: { lambda: LambdaClient; cloudWatch: CloudWatchClient },
  input: TargetChecksInput,
): Promise<CheckRow[]> {
  const { lambda, cloudWatch } = clients;
  const { functionName, alias, region } = input;
  const rows: CheckRow[] = [];

  const functionBase = { check: 'function', iamAction: 'lambda:GetFunction', isRequired: true };
  let fn: GetFunctionCommandOutput | undefined;
  let isFunctionMissing = false;
  try {
    fn = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
    rows.push({
      ...functionBase,
      result: 'ok',
      detail: `${functionName} (${fn.Configuration?.PackageType ?? 'Zip'}, ${fn.Configuration?.State ?? 'Active'})`,
    });
  } catch (error) {
    isFunctionMissing = classifyAwsError(error).type === FailureType.NotFound;
    rows.push(
      failedRow(
        functionBase,
        error,
        `function ${functionName} does not exist in ${region}: check the name and --region`,
      ),
    );
  }
  const skippedBecauseNoFunction = (check: string, iamAction: string): CheckRow => ({
    check,
    iamAction,
    isRequired: true,
    result: 'skipped',
    detail: `function ${functionName} does not exist`,
  });

  const aliasBase = { check: 'alias', iamAction: 'lambda:GetAlias', isRequired: true };
  if (isFunctionMissing) rows.push(skippedBecauseNoFunction(aliasBase.check, aliasBase.iamAction));
  else {
    try {
      const found = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
      if (found.FunctionVersion === '$LATEST') {
        rows.push({
          ...aliasBase,
          result: 'error',
          detail: `${alias} points at $LATEST: point it at a published version, so there is a stable version to roll back to`,
        });
      } else {
        const weights = Object.entries(found.RoutingConfig?.AdditionalVersionWeights ?? {});
        rows.push({
          ...aliasBase,
          result: 'ok',
          detail: `${alias} → version ${found.FunctionVersion}${weights.map(([v, w]) => ` (+${v} at ${Math.round(w * 100)}%)`).join('')}`,
        });
      }
    } catch (error) {
      const isNotFound = classifyAwsError(error).type === FailureType.NotFound;
      rows.push(
        isNotFound && input.createAlias
          ? {
              ...aliasBase,
              result: 'ok',
              detail: `${alias} does not exist yet: the release creates it (grant lambda:CreateAlias)`,
            }
          : failedRow(
              aliasBase,
              error,
              `alias ${alias} does not exist on ${functionName}: create it on a published version, or release with createAlias: true`,
            ),
      );
    }
  }

  const versionsBase = { check: 'versions', iamAction: 'lambda:ListVersionsByFunction', isRequired: true };
  if (isFunctionMissing) rows.push(skippedBecauseNoFunction(versionsBase.check, versionsBase.iamAction));
  else {
    try {
      const page = await lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: functionName, MaxItems: 50 }),
      );
      const published = (page.Versions ?? []).filter((version) => version.Version !== '$LATEST');
      rows.push({
        ...versionsBase,
        result: 'ok',
        detail: `${published.length}${page.NextMarker ? '+' : ''} published version(s)`,
      });
    } catch (error) {
      rows.push(failedRow(versionsBase, error, `function ${functionName} does not exist`));
    }
  }

  // Without named alarms a release does not call DescribeAlarms, so its permission is reported but optional.
  const alarmsBase = {
    check: 'alarms',
    iamAction: 'cloudwatch:DescribeAlarms',
    isRequired: input.alarms.length > 0,
  };
  try {
    const found = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await cloudWatch.send(
        new DescribeAlarmsCommand({
          ...(input.alarms.length > 0 ? { AlarmNames: [...input.alarms] } : {}),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: input.alarms.length > 0 ? 100 : 1,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])])
        if (alarm.AlarmName) found.add(alarm.AlarmName);
      nextToken = input.alarms.length > 0 ? page.NextToken : undefined;
    } while (nextToken);
    const missing = input.alarms.filter((name) => !found.has(name));
    rows.push(
      missing.length > 0
        ? { ...alarmsBase, result: 'missing', detail: `no alarm named ${missing.join(', ')} in ${region}` }
        : {
            ...alarmsBase,
            result: 'ok',
            detail:
              input.alarms.length > 0
                ? `${input.alarms.join(', ')} found`
                : 'allowed (needed only by releases that name alarms: --alarm)',
          },
    );
  } catch (error) {
    rows.push(failedRow(alarmsBase, error, 'no such alarm'));
  }

  // The health checks read the function's AWS/Lambda metrics; an empty answer is fine, a refusal is not.
  const metricsBase = { check: 'metrics', iamAction: 'cloudwatch:GetMetricData', isRequired: true };
  try {
    const endTime = new Date();
    await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(endTime.getTime() - 5 * 60_000),
        EndTime: endTime,
        MetricDataQueries: [
          {
            Id: 'invocations',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Invocations',
                Dimensions: [
                  { Name: 'FunctionName', Value: functionName },
                  { Name: 'Resource', Value: `${functionName}:${alias}` },
                ],
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    rows.push({ ...metricsBase, result: 'ok', detail: 'allowed' });
  } catch (error) {
    rows.push(failedRow(metricsBase, error, 'no such metric'));
  }

  rows.push(await dryRunRow(lambda, functionName, fn, isFunctionMissing));
  return rows;
}

/**
 * UpdateFunctionCode with DryRun: Lambda checks the permission and the request and changes nothing (no new
 * RevisionId, no update). Guarded by the RevisionId just read, and with code of the function's own package type.
 */
async function dryRunRow(
  lambda: LambdaClient,
  functionName: string,
  fn: GetFunctionCommandOutput | undefined,
  isFunctionMissing: boolean,
): Promise<CheckRow> {
  const base = { check: 'update code (dry run)', iamAction: 'lambda:UpdateFunctionCode', isRequired: true };
  if (isFunctionMissing)
    return { ...base, result: 'skipped', detail: `function ${functionName} does not exist` };
  const isImage = fn?.Configuration?.PackageType === 'Image';
  const imageUri = fn?.Code?.ImageUri;
  if (isImage && !imageUri)
    return { ...base, result: 'skipped', detail: 'an image function whose ImageUri could not be read' };
  const revisionId = fn?.Configuration?.RevisionId;
  try {
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: functionName,
        ...(isImage ? { ImageUri: imageUri } : { ZipFile: dryRunZip() }),
        ...(revisionId ? { RevisionId: revisionId } : {}),
        DryRun: true,
      }),
    );
    return { ...base, result: 'ok', detail: 'allowed (dry run: nothing changed)' };
  } catch (error) {
    const type = classifyAwsError(error).type;
    // Lambda authorises a call before it looks at the function's state, so these answers mean it is allowed.
    if (type === FailureType.UpdateInProgress)
      return {
        ...base,
        result: 'ok',
        detail: 'allowed; an update is in progress now (a release waits for it)',
      };
    if (type === FailureType.Conflict)
      return { ...base, result: 'ok', detail: 'allowed; the function changed while doctor ran' };
    return failedRow(base, error, `function ${functionName} does not exist`);
  }
}

/** A release could run: every required check is ok. */
export function isReleasable(rows: readonly CheckRow[]): boolean {
  return rows.every((row) => !row.isRequired || row.result === 'ok');
}
