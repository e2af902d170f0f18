import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../config.ts';
import { controlActions } from '../../domain/release-state.ts';
import type { ReleaseOutcome, ReleaseStatus } from '../../domain/release-status.ts';
import { createApiClient } from '../api-client.ts';

/** Exit codes by outcome, so a CI step can tell a rollback from a conflict. */
export const exitCodeByOutcome: Record<ReleaseOutcome, number> = {
  succeeded: 0,
  rolled_back: 3,
  conflict: 4,
  failed: 5,
  needs_attention: 6,
};

function api() {
  const { client } = loadConfig();
  return createApiClient(client.apiUrl, client.token);
}

function readSpec(
  path: string | undefined,
  options: Record<string, string | undefined>,
): Record<string, unknown> {
  let spec: Record<string, unknown> = {};
  if (path) {
    const text = readFileSync(path, 'utf8');
    spec = (path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>;
  }
  if (options.function) spec.function = options.function;
  if (options.alias) spec.alias = options.alias;
  if (options.strategy) spec.strategy = options.strategy;
  if (options.description) spec.description = options.description;
  if (options.region) spec.region = options.region;
  if (options.zip) spec.code = { zipFile: readFileSync(options.zip).toString('base64') };
  if (options.image) spec.code = { imageUri: options.image };
  return spec;
}

function describeStatus(status: ReleaseStatus): string {
  const weight = status.candidateVersion
    ? ` v${status.candidateVersion} at ${status.candidateWeightPercent}%`
    : '';
  return `${status.phase}${status.isPaused ? ' (paused)' : ''}${weight}${status.outcome ? ` → ${status.outcome}` : ''}`;
}

/** Follows a release until it ends, printing each new timeline entry; returns the final status. */
async function follow(releaseId: string): Promise<ReleaseStatus> {
  const client = api();
  let printed = 0;
  for (;;) {
    const status = await client.request<ReleaseStatus>(
      'GET',
      `/v1/releases/${encodeURIComponent(releaseId)}`,
    );
    for (const entry of status.timeline.slice(printed))
      console.log(`${entry.at}  ${entry.event.padEnd(18)} ${entry.message}`);
    printed = status.timeline.length;
    if (status.outcome) return status;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export function registerReleaseCommand(program: Command): void {
  const release = program
    .command('release')
    .description('Start, follow and control releases through the Ramp API (RAMP_API_URL, RAMP_API_TOKEN)');

  release
    .command('start')
    .argument('[spec]', 'release spec file (JSON or YAML)')
    .option('--function <name>', 'function name or ARN')
    .option('--alias <name>', 'alias that takes traffic')
    .option('--zip <path>', 'deployment package to upload')
    .option('--image <uri>', 'container image URI')
    .option('--strategy <name>', 'e.g. Canary10Percent5Minutes, Linear10PercentEvery1Minute, AllAtOnce')
    .option('--description <text>', 'description of the published version')
    .option('--region <region>', 'AWS region')
    .option('--idempotency-key <key>', 'retrying with the same key returns the same release')
    .option('--wait', 'follow the release until it ends; exit code tells the outcome')
    .action(
      async (
        specPath: string | undefined,
        options: Record<string, string | undefined> & { wait?: boolean },
      ) => {
        const spec = readSpec(specPath, options);
        const client = api();
        const started = await client.request<{ id: string }>('POST', '/v1/releases', {
          body: spec,
          ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
        });
        console.log(`release ${started.id} started`);
        if (options.wait) {
          const status = await follow(started.id);
          console.log(
            `release ${started.id}: ${status.outcome}${status.lastError ? ` (${status.lastError.message})` : ''}`,
          );
          process.exitCode = exitCodeByOutcome[status.outcome ?? 'failed'];
        }
      },
    );

  release
    .command('status')
    .argument('<id>', 'release id')
    .option('--json', 'print the whole status object')
    .action(async (id: string, options: { json?: boolean }) => {
      const status = await api().request<ReleaseStatus>('GET', `/v1/releases/${encodeURIComponent(id)}`);
      console.log(options.json ? JSON.stringify(status, null, 2) : `${id}: ${describeStatus(status)}`);
    });

  release
    .command('watch')
    .argument('<id>', 'release id')
    .action(async (id: string) => {
      const status = await follow(id);
      process.exitCode = exitCodeByOutcome[status.outcome ?? 'failed'];
    });

  release
    .command('list')
    .option('--function <name>')
    .option('--alias <name>')
    .option('--running', 'only running releases')
    .action(async (options: { function?: string; alias?: string; running?: boolean }) => {
      const query = new URLSearchParams();
      if (options.function) query.set('function', options.function);
      if (options.alias) query.set('alias', options.alias);
      if (options.running) query.set('running', 'true');
      const page = await api().request<{
        releases: { releaseId: string; phase: string | null; outcome: string | null }[];
      }>('GET', `/v1/releases?${query}`);
      for (const r of page.releases) console.log(`${r.releaseId}  ${r.outcome ?? r.phase ?? ''}`);
    });

  for (const action of controlActions) {
    release
      .command(action)
      .argument('<id>', 'release id')
      .option('--reason <text>', 'recorded in the timeline and audit log')
      .action(async (id: string, options: { reason?: string }) => {
        const status = await api().request<ReleaseStatus>(
          'POST',
          `/v1/releases/${encodeURIComponent(id)}/${action}`,
          { body: options.reason ? { reason: options.reason } : {} },
        );
        console.log(`${id}: ${describeStatus(status)}`);
      });
  }
}
