import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { trainControlActions } from '../../domain/train-state.ts';
import type { TrainOutcome, TrainStatus, TrainSummary } from '../../domain/train-status.ts';
import { type ApiClient, CliError, createApiClient } from '../api-client.ts';
import { followStatus } from '../follow-status.ts';
import { renderTrain, renderTrainChanges, renderTrainList } from '../render-train.ts';
import { parseSpecObject } from '../spec-file.ts';

/** Exit codes by outcome, the same as `ramp release`'s; `stopped` is a failure that left earlier waves. */
export const exitCodeByTrainOutcome: Record<TrainOutcome, number> = {
  succeeded: 0,
  rolled_back: 3,
  conflict: 4,
  stopped: 5,
  needs_attention: 6,
};

const trainPath = (id: string) => `/v1/trains/${encodeURIComponent(id)}`;

function api(): ApiClient {
  const { client } = loadConfig();
  return createApiClient(client.apiUrl, client.token);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
}

/**
 * The train file (JSON or YAML). For convenience a `code: { zipPath: build/api.zip }` (relative to the
 * file) is read and sent as `zipFile`, so a YAML file need not hold base64.
 */
export function readTrainFile(path: string): Record<string, unknown> {
  const text = readText(path);
  const spec = parseSpecObject(path, text, 'one train spec object (see docs/trains.md)') as {
    defaults?: Record<string, unknown>;
    waves?: { targets?: Record<string, unknown>[] }[];
  };
  const inline = (fields: Record<string, unknown> | undefined) => {
    const code = fields?.code as Record<string, unknown> | undefined;
    if (!fields || !code || typeof code.zipPath !== 'string') return;
    const zip = readFileSync(resolve(dirname(path), code.zipPath));
    fields.code = { zipFile: zip.toString('base64') };
  };
  inline(spec.defaults);
  for (const wave of Array.isArray(spec.waves) ? spec.waves : [])
    for (const target of Array.isArray(wave?.targets) ? wave.targets : []) inline(target);
  return spec as Record<string, unknown>;
}

const readStatus = (client: ApiClient, id: string) => client.request<TrainStatus>('GET', trainPath(id));

/** Follows a train until it ends, printing each change (or, with --json, each status). */
function follow(client: ApiClient, id: string, isJson: boolean): Promise<TrainStatus> {
  return followStatus(() => readStatus(client, id), { isJson, changes: renderTrainChanges });
}

function endOf(status: TrainStatus): void {
  process.exitCode = exitCodeByTrainOutcome[status.outcome ?? 'needs_attention'];
}

export function registerTrainCommand(program: Command): void {
  const train = program
    .command('train')
    .description('Start, follow and control release trains: many releases in ordered waves (docs/trains.md)');

  train
    .command('start')
    .description('Start a train from a spec file (JSON or YAML)')
    .argument('<spec>', 'train spec file')
    .option('--idempotency-key <key>', 'retrying with the same key (and spec) returns the same train')
    .option(
      '--wait',
      'follow the train until it ends, printing waves and targets as they move; exit code tells the outcome',
    )
    .option('--json', 'print JSON: the started train, and with --wait one status per change')
    .action(
      async (specPath: string, options: { idempotencyKey?: string; wait?: boolean; json?: boolean }) => {
        const spec = readTrainFile(specPath);
        const client = api();
        const started = await client.request<{ id: string; links: Record<string, string> }>(
          'POST',
          '/v1/trains',
          {
            body: spec,
            ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
          },
        );
        console.log(options.json ? JSON.stringify(started) : `train ${started.id} started`);
        if (!options.wait) return;
        const status = await follow(client, started.id, Boolean(options.json));
        if (!options.json) console.log(`\n${renderTrain(status)}\ntrain ${started.id}: ${status.outcome}`);
        endOf(status);
      },
    );

  train
    .command('status')
    .description("A train's waves and each target's release, phase, weight and outcome")
    .argument('<id>', 'train id')
    .option('--json', 'print the whole status object')
    .action(async (id: string, options: { json?: boolean }) => {
      const status = await readStatus(api(), id);
      console.log(options.json ? JSON.stringify(status, null, 2) : renderTrain(status));
    });

  train
    .command('watch')
    .description('Follow a train until it ends; exit code tells the outcome')
    .argument('<id>', 'train id')
    .option('--json', 'print one status object (one line) per change')
    .action(async (id: string, options: { json?: boolean }) => {
      const status = await follow(api(), id, Boolean(options.json));
      if (!options.json) console.log(`\n${renderTrain(status)}`);
      endOf(status);
    });

  train
    .command('list')
    .description('Trains, newest first')
    .option('--running', 'only running trains')
    .option('--json', 'print the list as JSON')
    .action(async (options: { running?: boolean; json?: boolean }) => {
      const page = await api().request<{ trains: TrainSummary[] }>(
        'GET',
        `/v1/trains${options.running ? '?running=true' : ''}`,
      );
      console.log(options.json ? JSON.stringify(page, null, 2) : renderTrainList(page.trains));
    });

  for (const action of trainControlActions) {
    train
      .command(action)
      .description(
        action === 'approve'
          ? 'Let a train start the wave that waits for an approval'
          : `${action[0]?.toUpperCase()}${action.slice(1)} a train (and every release it runs), then show it`,
      )
      .argument('<id>', 'train id')
      .option('--reason <text>', 'recorded in the timeline and audit log')
      .option('--json', 'print the status object')
      .action(async (id: string, options: { reason?: string; json?: boolean }) => {
        const status = await api().request<TrainStatus>('POST', `${trainPath(id)}/${action}`, {
          body: options.reason ? { reason: options.reason } : {},
        });
        console.log(options.json ? JSON.stringify(status, null, 2) : renderTrain(status));
      });
  }
}
