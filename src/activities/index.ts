import { createDeliverNotification } from './deliver-notification.ts';
import type { ActivityDeps } from './deps.ts';
import { createExpectedCodeSha256 } from './expected-code-sha256.ts';
import { createLambdaBudgetQueue } from './lambda-budget-queue.ts';
import { createListVersions } from './list-versions.ts';
import { createMonitorHealth } from './monitor-health.ts';
import { createPreflight } from './preflight.ts';
import { createCheckHealth, createProbeBeforeTraffic } from './probe-versions.ts';
import { createPublishVersion } from './publish-version.ts';
import { createReadTarget } from './read-target.ts';
import { createRunValidationHook } from './run-hook.ts';
import { createAliasActivities } from './set-alias.ts';
import { createUpdateFunctionCode } from './update-function-code.ts';
import { createWaitForUpdate } from './wait-for-update.ts';

/**
 * Every activity the release workflow calls, built from injected dependencies. Activity names are the
 * keys here and are recorded in histories: never rename one; add a new one.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    readTarget: createReadTarget(deps),
    updateFunctionCode: createUpdateFunctionCode(deps),
    waitForUpdate: createWaitForUpdate(deps),
    publishVersion: createPublishVersion(deps),
    ...createAliasActivities(deps),
    checkHealth: createCheckHealth(deps),
    monitorHealth: createMonitorHealth(deps),
    runValidationHook: createRunValidationHook(deps),
    probeBeforeTraffic: createProbeBeforeTraffic(deps),
    listVersions: createListVersions(deps),
    expectedCodeSha256: createExpectedCodeSha256(deps),
    preflight: createPreflight(deps),
    deliverNotification: createDeliverNotification(deps),
    lambdaBudgetQueue: createLambdaBudgetQueue(deps),
  };
}

export type ReleaseActivities = ReturnType<typeof createActivities>;
// The workflow imports these types from here (src/workflows is restructured separately).
export type { HealthCheckInput, HealthVerdict } from '../domain/health-verdict.ts';
export type { DeliveredNotification, DeliverNotificationInput } from './deliver-notification.ts';
export type { ActivityDeps } from './deps.ts';
export type { ExpectedCode, ExpectedCodeInput } from './expected-code-sha256.ts';
export type { LambdaBudgetQueue, LambdaBudgetQueueInput } from './lambda-budget-queue.ts';
export type { PublishedVersion } from './list-versions.ts';
export type { MonitorResult } from './monitor-health.ts';
export type { PreflightInput, PreflightProblem, PreflightResult } from './preflight.ts';
export type { ProbeRoundInput } from './probe-versions.ts';
