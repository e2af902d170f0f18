/**
 * The shared Lambda control-plane budget: every Lambda call but GetFunction shares 15 requests/s per
 * account and region (docs/scale.md). Ramp routes the activities that make those calls to one Temporal
 * task queue per account and region, and the Temporal server rate-limits that queue across all of its
 * workers. This file holds the pure parts: the budgets as configured, the queue names, and the rate
 * Temporal is given for a budget.
 */
import { accountOfRoleArn } from './role-arn.ts';

/** Lambda's shared control-plane quota; Ramp's default budget is half of it (CI, Terraform, people share it). */
export const lambdaControlPlaneQuotaPerSecond = 15;
export const defaultLambdaBudgetPerSecond = lambdaControlPlaneQuotaPerSecond / 2;

/** One budget: `account` undefined applies to whichever account the worker's credentials belong to. */
export interface LambdaBudget {
  region: string;
  account: string | undefined;
  perSecond: number;
}

const entryPattern = /^(?:(\d{12}):)?([a-z]{2}(?:-[a-z]+)+-\d+)(?:=(\d+(?:\.\d+)?))?$/;

/**
 * Parses `RAMP_LAMBDA_BUDGET_REGIONS`: `us-east-1,eu-west-1=5,222222222222:us-east-1=3`. A bare region
 * takes the default rate; `account:` scopes an entry to workers of that account. Returns the problems
 * instead of throwing, for config's error message.
 */
export function parseLambdaBudgets(
  text: string,
  defaultPerSecond: number,
): { ok: true; budgets: LambdaBudget[] } | { ok: false; problem: string } {
  const budgets: LambdaBudget[] = [];
  for (const raw of text.split(',').map((entry) => entry.trim())) {
    if (raw === '') continue;
    const match = entryPattern.exec(raw);
    if (!match) {
      return {
        ok: false,
        problem: `"${raw}" is not [account:]region[=requests per second], e.g. us-east-1, eu-west-1=5 or 123456789012:us-east-1=3`,
      };
    }
    const [, account, region = '', rate] = match;
    const perSecond = rate === undefined ? defaultPerSecond : Number(rate);
    if (perSecond <= 0) return { ok: false, problem: `"${raw}": a budget must be above 0 requests/s` };
    budgets.push({ region, account, perSecond });
  }
  return { ok: true, budgets };
}

/**
 * Parses `RAMP_TARGET_ACCOUNTS`: the accounts a deployment releases into by role, as 12-digit account ids or as
 * the role ARNs themselves (their account is taken), comma-separated.
 */
export function parseTargetAccounts(
  text: string,
): { ok: true; accounts: string[] } | { ok: false; problem: string } {
  const accounts: string[] = [];
  for (const raw of text.split(',').map((entry) => entry.trim())) {
    if (raw === '') continue;
    const account = /^\d{12}$/.test(raw) ? raw : accountOfRoleArn(raw);
    if (!account)
      return {
        ok: false,
        problem: `"${raw}" is neither a 12-digit AWS account id nor an IAM role ARN (arn:aws:iam::123456789012:role/name)`,
      };
    if (!accounts.includes(account)) accounts.push(account);
  }
  return { ok: true, accounts };
}

/** The budgets that apply to a worker of `account`: its own entries win over unscoped ones, per region. */
export function budgetsOfAccount(budgets: readonly LambdaBudget[], account: string): LambdaBudget[] {
  const byRegion = new Map<string, { budget: LambdaBudget; isScoped: boolean }>();
  for (const budget of budgets) {
    if (budget.account !== undefined && budget.account !== account) continue;
    const isScoped = budget.account !== undefined;
    const existing = byRegion.get(budget.region);
    if (!existing || (isScoped && !existing.isScoped))
      byRegion.set(budget.region, { budget: { ...budget, account }, isScoped });
  }
  return [...byRegion.values()].map((entry) => entry.budget);
}

/**
 * The task queue of one account's and region's budgeted Lambda calls, under the deployment's own queue:
 * a second Ramp deployment (another RAMP_TASK_QUEUE or namespace) has queues, and so budgets, of its own.
 */
export function lambdaBudgetQueue(releaseQueue: string, account: string, region: string): string {
  return `${releaseQueue}/lambda/${account}/${region}`;
}

/**
 * The rate Temporal's queue limiter is given for a budget, so that the budget is a ceiling for every 1-s
 * window, not an average. Ramp's Temporal servers give each task queue one partition (server-dynamic-config.ts:
 * with several, each partition dispatches at least one task a second, so no rate below the partition count
 * holds, and each adds a burst of its own). One partition's limiter is a token bucket holding about a
 * second's worth of tasks (at least one): after a quiet spell a sliding 1-s window can take the full bucket,
 * a second of refill and one more at its edge. Measured on the dev server (server 1.29.1, priority matcher,
 * one partition, 80 tasks queued at once): 7 in the busiest 1-s window at 3/s, 8 at 3.5/s. So the worst
 * window is taken as 2 × ⌈rate⌉ + 1, and the rate is the highest that keeps it within the budget.
 */
export function temporalRateForBudget(budgetPerSecond: number): number {
  const worstWindow = (rate: number) => 2 * Math.max(1, Math.ceil(rate)) + 1;
  for (let tenths = Math.floor(budgetPerSecond * 10); tenths >= 1; tenths--) {
    const rate = tenths / 10;
    if (worstWindow(rate) <= budgetPerSecond) return rate;
  }
  // A budget below the bucket's minimum burst (3 a second) cannot be a strict ceiling; hold it on average.
  return budgetPerSecond / 2;
}
