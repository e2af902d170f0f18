/**
 * R5: someone else changes the alias or the function's code while releases run, right before or right
 * after one of Ramp's mutating calls reaches AWS. Ramp must never overwrite such a change (0 clobbers), and a
 * release that met one must end `conflict` or `needs_attention`.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { parseReleaseId } from '../../../src/domain/release-id.ts';
import type { GatedCall } from '../call-gate.ts';
import { aliasName, type ChaosStack, type RunningRelease, startChaosStack, zipOf } from '../chaos-stack.ts';
import { driveReleases, type ScenarioResult, steppedCase, summarise } from '../drive.ts';
import { type SeededRandom, seededRandom } from '../seeded-random.ts';
import type { ScenarioContext } from './context.ts';

export interface R5Options {
  releases: number;
  parallel: number;
  /** Chance that a mutating call is raced by an outside change (at most one per release). */
  raceChance: number;
  /**
   * Share of releases a person cancels (as from the Temporal UI) while their first alias write is on its
   * way: the write still lands, so the rollback must undo it (issue 10, defect 2a). Those are not raced by
   * an outside change: they must end `rolled_back` on the stable version, with no conflict.
   */
  cancelChance: number;
}

export const r5Defaults: R5Options = { releases: 40, parallel: 8, raceChance: 0.35, cancelChance: 0.1 };

/** Code changes only matter before the candidate is published; alias changes at any point. */
function changeKindFor(call: GatedCall, phase: 'before' | 'after', random: SeededRandom): 'alias' | 'code' {
  const canChangeCode =
    (call.operation === 'UpdateFunctionCode' && phase === 'before') ||
    (call.operation === 'UpdateFunctionCode' && phase === 'after') ||
    (call.operation === 'PublishVersion' && phase === 'before');
  return canChangeCode && random.chance(0.5) ? 'code' : 'alias';
}

async function settled(stack: ChaosStack, functionName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const config = await stack.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName }),
    );
    if (config.LastUpdateStatus !== 'InProgress' && config.State !== 'Pending') return;
    await sleep(20);
  }
}

/** Makes the outside change straight at the simulator and records what it left, to check it is still there. */
async function changeOutside(
  stack: ChaosStack,
  running: RunningRelease,
  kind: 'alias' | 'code',
  seenFrom: number,
) {
  const functionName = running.releaseCase.functionName;
  if (kind === 'alias') {
    const alias = await stack.lambda.send(
      new GetAliasCommand({ FunctionName: functionName, Name: aliasName }),
    );
    const changed = await stack.lambda.send(
      new UpdateAliasCommand({
        FunctionName: functionName,
        Name: aliasName,
        FunctionVersion: alias.FunctionVersion,
        RoutingConfig: { AdditionalVersionWeights: {} },
        Description: 'changed outside Ramp',
      }),
    );
    running.outsideChanges.push({ kind, mark: changed.RevisionId ?? '', isSeenByRamp: false, seq: seenFrom });
    return;
  }
  await settled(stack, functionName);
  const changed = await stack.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: functionName,
      ZipFile: zipOf({}, `${functionName}-outside`),
    }),
  );
  running.outsideChanges.push({ kind, mark: changed.CodeSha256 ?? '', isSeenByRamp: false, seq: seenFrom });
}

export async function runR5(
  context: ScenarioContext,
  options: R5Options = r5Defaults,
): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const random = seededRandom(context.seed + 5);
  const stack = await startChaosStack({
    temporalAddress: context.temporalAddress,
    namespace: context.namespace,
    seed: context.seed,
    taskQueue: `${context.runId}-r5`,
  });
  const byFunction = new Map<string, RunningRelease>();
  const raced = new Set<string>();
  const toCancel = new Set<string>();
  const cancelled = new Set<string>();
  const cancelDuringWrite = async (call: GatedCall) => {
    const running = call.functionName ? byFunction.get(call.functionName) : undefined;
    if (call.operation !== 'UpdateAlias' || !running) return;
    const name = running.releaseCase.functionName;
    if (!toCancel.has(name) || cancelled.has(name)) return;
    cancelled.add(name);
    const parsed = parseReleaseId(running.releaseId);
    if (!parsed) return;
    await stack.client.workflow.getHandle(parsed.workflowId, parsed.runId).cancel();
    // A slowed write: the cancel reaches the workflow before the write lands.
    await sleep(300);
  };
  const race = async (call: GatedCall, phase: 'before' | 'after') => {
    const running = call.functionName ? byFunction.get(call.functionName) : undefined;
    if (!running) return;
    const name = running.releaseCase.functionName;
    if (raced.has(name) || toCancel.has(name) || !random.chance(options.raceChance)) return;
    raced.add(running.releaseCase.functionName);
    // Before: the held call itself is the first to meet the change. After: only later calls can.
    const seenFrom = phase === 'before' ? call.seq - 0.5 : stack.gate.nextSeq();
    await changeOutside(stack, running, changeKindFor(call, phase, random), seenFrom);
  };
  try {
    stack.gate.hooks.beforeMutation = async (call): Promise<'forward'> => {
      await cancelDuringWrite(call);
      await race(call, 'before');
      return 'forward';
    };
    stack.gate.hooks.afterMutation = async (call): Promise<'deliver'> => {
      await race(call, 'after');
      return 'deliver';
    };
    const cases = Array.from({ length: options.releases }, (_, index) =>
      steppedCase(random, `${context.runId}-r5-${index}`, { isCandidateBad: false }),
    );
    const driven = await driveReleases(stack, cases, {
      parallel: options.parallel,
      releaseDeadlineMs: 5 * 60_000,
      onPrepared: (running) => {
        byFunction.set(running.releaseCase.functionName, running);
        if (random.chance(options.cancelChance)) toCancel.add(running.releaseCase.functionName);
      },
    });
    return summarise('R5 outside changes', driven, startedAt, {
      notes: [
        `${raced.size} of ${options.releases} releases raced by an outside change, ${cancelled.size} cancelled during an alias write`,
      ],
    });
  } finally {
    await stack.close();
  }
}
