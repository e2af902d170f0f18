import { type PlannedStep, planSteps, promotionRequiresApproval, type StrategyInput } from './strategies.ts';

/**
 * The steps a release walks, computed once before it starts and carried in the workflow's input. A
 * release therefore keeps the plan it was started with, even if a predefined strategy is edited while it
 * runs (a plan recomputed on every replay would change releases already under way).
 */
export interface ReleasePlan {
  /** Steps before promotion; empty for all-at-once. */
  steps: PlannedStep[];
  /** Whether the final move to 100 % waits for an approval. */
  promotionRequiresApproval: boolean;
}

/** The plan of a validated strategy. Throws RangeError for an unknown strategy name. */
export function planOf(strategy: StrategyInput): ReleasePlan {
  return { steps: planSteps(strategy), promotionRequiresApproval: promotionRequiresApproval(strategy) };
}

/** The candidate weights (percent) a release with this plan may ever set, promotion included. */
export function plannedWeightsPercent(plan: ReleasePlan): number[] {
  return [...plan.steps.map((step) => step.weightPercent), 100];
}

/** Whether moving traffic along this plan leaves any step to bake or approve before 100 %. */
export function isGradual(plan: ReleasePlan): boolean {
  return plan.steps.length > 0;
}
