/**
 * Validation hooks (CodeDeploy's BeforeAllowTraffic / AfterAllowTraffic): a Lambda function or an HTTPS
 * endpoint that says pass or fail. A failing hook is an unhealthy verdict, so it rolls the release back.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ReleaseActivities } from '../../activities/index.ts';
import type { ReleaseInput } from '../../domain/release-input.ts';
import type { ReleaseStatus } from '../../domain/release-status.ts';
import { roleFieldsOf } from '../../domain/role-arn.ts';
import type { HealthWatch, Note } from './health-watch.ts';
import { hookCall } from './options.ts';

export type HookStage = 'beforeTraffic' | 'afterTraffic';

export async function runHook(
  release: { input: ReleaseInput; status: ReleaseStatus; health: HealthWatch; note: Note },
  stage: HookStage,
): Promise<void> {
  const { input, status } = release;
  const hooks = input.health?.hooks;
  const hook = hooks?.[stage];
  if (!hooks || !hook) return;
  const { runValidationHook } = proxyActivities<ReleaseActivities>(hookCall(hooks.timeoutMs));
  const verdict = await runValidationHook({
    hook,
    timeoutMs: hooks.timeoutMs,
    ...roleFieldsOf(input),
    payload: {
      releaseId: status.releaseId,
      stage,
      functionName: input.functionName,
      alias: input.alias,
      region: input.region,
      candidateVersion: status.candidateVersion ?? '',
      stableVersion: status.stableVersion,
    },
  });
  release.note('hook_verdict', `${stage}: ${verdict.message}`, { verdict });
  if (verdict.status === 'fail')
    throw release.health.unhealthy(`${stage} hook failed: ${verdict.message}`, verdict);
}
