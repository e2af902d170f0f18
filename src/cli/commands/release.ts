import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { loadConfig } from '../../config.ts';
import { controlActions } from '../../domain/release-state.ts';
import type { ReleaseOutcome, ReleaseStatus, ReleaseSummary } from '../../domain/release-status.ts';
import { type ApiClient, CliError, createApiClient } from '../api-client.ts';
import { followStatus } from '../follow-status.ts';
import { type ListRow, renderList, renderStatus, renderTimelineEntry } from '../render-status.ts';
import { parseSpecObject } from '../spec-file.ts';

/** Exit codes by outcome, so a CI step can tell a rollback from a conflict. */
export const exitCodeByOutcome: Record<ReleaseOutcome, number> = {
  succeeded: 0,
  rolled_back: 3,
  conflict: 4,
  failed: 5,
  needs_attention: 6,
  // The preflight refused the release before any write: bad input, like a spec error.
  rejected: 2,
};

function api(): ApiClient {
  const { client } = loadConfig();
  return createApiClient(client.apiUrl, client.token);
}

const releasePath = (id: string) => `/v1/releases/${encodeURIComponent(id)}`;
const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/** A file the user named, or one line saying why it cannot be used. */
function readUserFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory; give the .zip file itself'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new CliError(`cannot read ${what} ${path}: ${why}`);
  }
}

function readSpec(
  path: string | undefined,
  options: Record<string, string | string[] | boolean | undefined>,
): Record<string, unknown> {
  let spec: Record<string, unknown> = {};
  if (path) {
    const text = readUserFile(path, 'the spec file').toString('utf8');
    spec = parseSpecObject(path, text, 'one release spec object (see docs/cli.md)');
  }
  for (const field of ['function', 'alias', 'strategy', 'description', 'region'] as const) {
    const value = options[field];
    if (typeof value === 'string') spec[field] = value;
  }
  if (typeof options.zip === 'string')
    spec.code = { zipFile: readUserFile(options.zip, '--zip').toString('base64') };
  if (typeof options.image === 'string') spec.code = { imageUri: options.image };
  if (typeof options.version === 'string') {
    spec.version = options.version;
    delete spec.code;
  }
  if (options.createAlias === true) spec.createAlias = true;
  if (typeof options.roleArn === 'string') spec.roleArn = options.roleArn;
  if (typeof options.externalId === 'string') spec.externalId = options.externalId;
  // --notify adds JSON webhooks to the spec file's own `notify` list; the API validates both alike.
  if (Array.isArray(options.notify) && options.notify.length > 0) {
    const fromFile = Array.isArray(spec.notify) ? spec.notify : [];
    spec.notify = [...fromFile, ...options.notify.map((webhook) => ({ webhook }))];
  }
  return spec;
}

const readStatus = (client: ApiClient, id: string) => client.request<ReleaseStatus>('GET', releasePath(id));

/** Follows a release until it ends, printing each new timeline entry (or, with --json, each status). */
function follow(client: ApiClient, releaseId: string, isJson: boolean): Promise<ReleaseStatus> {
  return followStatus(() => readStatus(client, releaseId), {
    isJson,
    changes: (previous, status) =>
      status.timeline.slice(previous?.timeline.length ?? 0).map(renderTimelineEntry),
  });
}

function endOf(status: ReleaseStatus): void {
  process.exitCode = exitCodeByOutcome[status.outcome ?? 'failed'];
}

export function registerReleaseCommand(program: Command): void {
  const release = program
    .command('release')
    .description('Start, follow and control releases through the Ramp API (RAMP_API_URL, RAMP_API_TOKEN)');

  release
    .command('start')
    .description('Start a release from a spec file and/or flags')
    .argument('[spec]', 'release spec file (JSON or YAML)')
    .option('--function <name>', 'function name or ARN')
    .option('--alias <name>', 'alias that takes traffic')
    .addOption(new Option('--zip <path>', 'deployment package to upload').conflicts(['image', 'version']))
    .addOption(new Option('--image <uri>', 'container image URI').conflicts(['zip', 'version']))
    .addOption(
      new Option('--version <n>', 'release an already-published version (no upload, no publish)').conflicts([
        'zip',
        'image',
      ]),
    )
    .option('--strategy <name>', 'e.g. Canary10Percent5Minutes, Linear10PercentEvery1Minute, AllAtOnce')
    .option('--description <text>', 'description of the published version')
    .option('--region <region>', 'AWS region')
    .option('--idempotency-key <key>', 'retrying with the same key (and spec) returns the same release')
    .option(
      '--create-alias',
      'create the alias if it does not exist (a first release); otherwise a missing alias is refused',
    )
    .option('--role-arn <arn>', 'release into another account: the IAM role the worker assumes')
    .option('--external-id <id>', "the ExternalId the role's trust policy demands (with --role-arn)")
    .option(
      '--notify <url>',
      'POST the release events (JSON) to this webhook; repeatable (docs/notifications.md)',
      (url: string, earlier: string[] = []) => [...earlier, url],
    )
    .option('--wait', 'follow the release until it ends; exit code tells the outcome')
    .option('--json', 'print JSON: the started release, and with --wait one status per change')
    .action(
      async (
        specPath: string | undefined,
        options: Record<string, string | undefined> & {
          notify?: string[];
          wait?: boolean;
          json?: boolean;
          createAlias?: boolean;
        },
      ) => {
        const spec = readSpec(specPath, options);
        const client = api();
        const started = await client.request<{
          id: string;
          links: Record<string, string>;
          warnings?: string[];
        }>('POST', '/v1/releases', {
          body: spec,
          ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
        });
        if (options.json) console.log(JSON.stringify(started));
        else {
          console.log(`release ${started.id} started`);
          for (const warning of started.warnings ?? []) console.error(`warning: ${warning}`);
        }
        if (options.wait) {
          const status = await follow(client, started.id, Boolean(options.json));
          if (!options.json)
            console.log(
              `release ${started.id}: ${status.outcome}${status.lastError ? ` (${status.lastError.message})` : ''}`,
            );
          endOf(status);
        }
      },
    );

  release
    .command('status')
    .description("A release's state: steps, weight, bake time left, versions, latest verdict")
    .argument('<id>', 'release id')
    .option('--json', 'print the whole status object')
    .action(async (id: string, options: { json?: boolean }) => {
      const status = await readStatus(api(), id);
      if (options.json) printJson(status);
      else console.log(renderStatus(status));
    });

  release
    .command('watch')
    .description(
      'Follow a release until it ends (timeline lines, then its state); exit code tells the outcome',
    )
    .argument('<id>', 'release id')
    .option('--json', 'print one status object (one line) per change')
    .action(async (id: string, options: { json?: boolean }) => {
      const status = await follow(api(), id, Boolean(options.json));
      if (!options.json) console.log(`\n${renderStatus(status)}`);
      endOf(status);
    });

  release
    .command('list')
    .description('Releases, newest first: started, ended, versions, description, outcome')
    .option('--function <name>')
    .option('--alias <name>')
    .option('--running', 'only running releases')
    .option('--limit <n>', 'how many (1-100)', '20')
    .option('--json', 'print the page as JSON')
    .action(
      async (options: {
        function?: string;
        alias?: string;
        running?: boolean;
        limit: string;
        json?: boolean;
      }) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100)
          throw new CliError(`--limit must be a whole number from 1 to 100, not ${options.limit}`);
        const query = new URLSearchParams({ pageSize: String(limit) });
        if (options.function) query.set('function', options.function);
        if (options.alias) query.set('alias', options.alias);
        if (options.running) query.set('running', 'true');
        const client = api();
        const page = await client.request<{ releases: ReleaseSummary[]; nextPageToken: string | null }>(
          'GET',
          `/v1/releases?${query}`,
        );
        if (options.json) {
          printJson(page);
          return;
        }
        if (page.releases.length === 0) {
          console.log('no releases');
          return;
        }
        // Versions live in each release's status, not in visibility: read them (a page is at most 100).
        const rows: ListRow[] = await Promise.all(
          page.releases.map(async (summary) => {
            const status = await readStatus(client, summary.releaseId).catch(() => undefined);
            return {
              ...summary,
              stableVersion: status?.stableVersion ?? null,
              candidateVersion: status?.candidateVersion ?? null,
            };
          }),
        );
        console.log(renderList(rows));
      },
    );

  for (const action of controlActions) {
    const command = release
      .command(action)
      .description(
        action === 'promote'
          ? 'Move a release on to its next step (--full: skip every remaining step), then show its state'
          : `${action[0]?.toUpperCase()}${action.slice(1)} a release, then show its state`,
      )
      .argument('<id>', 'release id')
      .option('--reason <text>', 'recorded in the timeline and audit log')
      .option('--json', 'print the status object');
    if (action === 'promote') command.option('--full', 'skip every remaining step and go to 100% now');
    command.action(async (id: string, options: { reason?: string; json?: boolean; full?: boolean }) => {
      const client = api();
      await client.request<unknown>('POST', `${releasePath(id)}/${action}`, {
        body: {
          ...(options.reason ? { reason: options.reason } : {}),
          ...(options.full ? { full: true } : {}),
        },
      });
      // Read the status now rather than trusting the answer's shape: it shows the request's effect.
      const status = await readStatus(client, id);
      if (options.json) printJson(status);
      else console.log(renderStatus(status));
    });
  }
}
