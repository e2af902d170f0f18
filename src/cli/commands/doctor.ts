import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { Command } from 'commander';
import { classifyAwsError } from '../../aws/classify-error.ts';
import { loadConfig } from '../../config.ts';
import { type CheckRow, isReleasable, runTargetChecks } from '../../doctor/target-checks.ts';
import { FailureType } from '../../domain/failure-types.ts';
import { renderDoctorReport } from '../render-doctor.ts';

interface DoctorOptions {
  function: string;
  alias: string;
  region?: string;
  roleArn?: string;
  externalId?: string;
  alarm: string[];
  createAlias?: boolean;
  json?: boolean;
}

type RoleCredentials = ReturnType<typeof fromTemporaryCredentials>;

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * The role's credentials, assumed once up front so a role that cannot be assumed is its own row (and the
 * other checks are not run with the wrong identity). STS's endpoint follows AWS_ENDPOINT_URL_STS.
 */
async function assumeRole(
  options: DoctorOptions,
  region: string,
): Promise<{ row: CheckRow; credentials?: RoleCredentials }> {
  const base = { check: 'assume role', iamAction: 'sts:AssumeRole', isRequired: true };
  const credentials = fromTemporaryCredentials({
    params: {
      RoleArn: options.roleArn ?? '',
      RoleSessionName: 'ramp-doctor',
      ...(options.externalId ? { ExternalId: options.externalId } : {}),
    },
    clientConfig: { region, maxAttempts: 2 },
  });
  try {
    const identity = await credentials();
    return {
      row: { ...base, result: 'ok', detail: `${options.roleArn} (key ${identity.accessKeyId.slice(0, 8)}…)` },
      credentials,
    };
  } catch (error) {
    const classified = classifyAwsError(error);
    const why = `${classified.awsErrorName ?? classified.type}: ${classified.message}`;
    return {
      row: {
        ...base,
        result: classified.type === FailureType.AccessDenied ? 'missing' : 'error',
        detail: `cannot assume ${options.roleArn}: ${why} (the role's trust policy must allow this identity${options.externalId ? ' with this external id' : ''})`,
      },
    };
  }
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check, read-only, that a release into a function alias could run: the function, alias, versions, alarms, metrics and UpdateFunctionCode permission (a dry run), with the IAM action each needs',
    )
    .requiredOption('--function <name>', 'function name or ARN')
    .requiredOption('--alias <name>', 'the alias a release would shift')
    .option('--region <region>', 'AWS region (default: AWS_REGION)')
    .option('--role-arn <arn>', 'assume this role first, as a cross-account release would')
    .option('--external-id <id>', "the external id the role's trust policy demands")
    .option('--alarm <name>', 'an alarm the release spec names (repeatable)', collect, [])
    .option('--create-alias', 'the release would create the alias (createAlias: true)')
    .option('--json', 'print the checks as JSON')
    .action(async (options: DoctorOptions) => {
      const config = loadConfig();
      const region = options.region ?? config.region;
      const rows: CheckRow[] = [];
      let credentials: RoleCredentials | undefined;
      let canCheck = true;
      if (options.roleArn) {
        const assumed = await assumeRole(options, region);
        rows.push(assumed.row);
        credentials = assumed.credentials;
        canCheck = credentials !== undefined;
      }
      if (canCheck) {
        // One attempt each: doctor reports what AWS answers, it does not wait out throttling.
        const clientConfig = { region, maxAttempts: 2, ...(credentials ? { credentials } : {}) };
        const lambda = new LambdaClient(clientConfig);
        const cloudWatch = new CloudWatchClient(clientConfig);
        try {
          rows.push(
            ...(await runTargetChecks(
              { lambda, cloudWatch },
              {
                functionName: options.function,
                alias: options.alias,
                region,
                alarms: options.alarm,
                ...(options.createAlias ? { createAlias: true } : {}),
              },
            )),
          );
        } finally {
          lambda.destroy();
          cloudWatch.destroy();
        }
      }
      const target = {
        functionName: options.function,
        alias: options.alias,
        region,
        roleArn: options.roleArn,
      };
      if (options.json)
        console.log(JSON.stringify({ ...target, isReleasable: isReleasable(rows), checks: rows }, null, 2));
      else console.log(renderDoctorReport(target, rows));
      process.exitCode = isReleasable(rows) ? 0 : 1;
    });
}
