import { formatDurationMs, parseDurationMs } from './durations.ts';

/**
 * Traffic-shifting strategies, reduced to one shape: a list of steps. Each step sets the candidate's
 * weight and then bakes; the release promotes to 100 % after the last step. CodeDeploy's predefined
 * Lambda configurations are accepted by their full and short names.
 */
export interface PlannedStep {
  /** Percent of traffic on the candidate version during this step, 0 < weightPercent < 100. */
  weightPercent: number;
  /** How long to bake (and watch health) at this weight before the next step. */
  bakeMs: number;
  /** Whether a person must approve before the release moves on from this step. */
  requiresApproval: boolean;
}

export interface CustomStep {
  weight: number;
  bake?: string | number | undefined;
  approval?: boolean | undefined;
}

export type StrategyInput = string | { steps: CustomStep[] };

const minute = 60_000;

function canary(percent: number, minutes: number): PlannedStep[] {
  return [{ weightPercent: percent, bakeMs: minutes * minute, requiresApproval: false }];
}

function linear(percent: number, everyMinutes: number): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (let weight = percent; weight < 100; weight += percent) {
    steps.push({ weightPercent: weight, bakeMs: everyMinutes * minute, requiresApproval: false });
  }
  return steps;
}

/** CodeDeploy's predefined Lambda deployment configurations, by their short names. */
export const predefinedStrategies: Readonly<Record<string, PlannedStep[]>> = {
  AllAtOnce: [],
  Canary10Percent5Minutes: canary(10, 5),
  Canary10Percent10Minutes: canary(10, 10),
  Canary10Percent15Minutes: canary(10, 15),
  Canary10Percent30Minutes: canary(10, 30),
  Linear10PercentEvery1Minute: linear(10, 1),
  Linear10PercentEvery2Minutes: linear(10, 2),
  Linear10PercentEvery3Minutes: linear(10, 3),
  Linear10PercentEvery10Minutes: linear(10, 10),
};

export const predefinedStrategyNames = Object.keys(predefinedStrategies);

/** `CodeDeployDefault.LambdaCanary10Percent5Minutes` and `Canary10Percent5Minutes` name the same thing. */
export function shortStrategyName(name: string): string {
  return name.replace(/^CodeDeployDefault\./, '').replace(/^Lambda/, '');
}

export function isKnownStrategyName(name: string): boolean {
  return shortStrategyName(name) in predefinedStrategies;
}

/**
 * Validates custom steps; returns problems as `path: message` strings (empty when valid).
 * Weights are percents, strictly increasing; a step at 100 % is only allowed last (it is the promotion).
 */
export function customStepProblems(steps: CustomStep[]): string[] {
  const problems: string[] = [];
  if (steps.length === 0) problems.push('steps: give at least one step, or use "AllAtOnce"');
  let previous = 0;
  steps.forEach((step, index) => {
    const at = `steps[${index}]`;
    if (!(step.weight > 0 && step.weight <= 100)) {
      problems.push(`${at}.weight: must be a percent above 0 and at most 100, got ${step.weight}`);
    } else if (step.weight <= previous) {
      problems.push(`${at}.weight: weights must increase step by step (${step.weight} after ${previous})`);
    } else if (step.weight === 100 && index !== steps.length - 1) {
      problems.push(`${at}.weight: 100 is the promotion, so it can only be the last step`);
    }
    if (step.bake !== undefined) {
      try {
        parseDurationMs(step.bake);
      } catch (error) {
        problems.push(`${at}.bake: ${(error as Error).message}`);
      }
    }
    previous = Math.max(previous, step.weight);
  });
  return problems;
}

/** Turns a (validated) strategy into the steps before promotion. */
export function planSteps(strategy: StrategyInput): PlannedStep[] {
  if (typeof strategy === 'string') {
    const steps = predefinedStrategies[shortStrategyName(strategy)];
    if (!steps) throw new RangeError(`unknown strategy "${strategy}"`);
    return steps.map((step) => ({ ...step }));
  }
  return strategy.steps
    .filter((step) => step.weight < 100)
    .map((step) => ({
      weightPercent: step.weight,
      bakeMs: step.bake === undefined ? 0 : parseDurationMs(step.bake),
      requiresApproval: step.approval === true,
    }));
}

/** Whether a custom plan's final 100 % step asks for approval before promotion. */
export function promotionRequiresApproval(strategy: StrategyInput): boolean {
  if (typeof strategy === 'string') return false;
  const last = strategy.steps[strategy.steps.length - 1];
  return last !== undefined && last.weight === 100 && last.approval === true;
}

export function describePlan(steps: PlannedStep[]): string {
  if (steps.length === 0) return 'all at once';
  return steps
    .map(
      (step) =>
        `${step.weightPercent}% for ${formatDurationMs(step.bakeMs)}${step.requiresApproval ? ' + approval' : ''}`,
    )
    .concat('100%')
    .join(' → ');
}
