/**
 * The release invariants of issue 10, checked on what the simulator recorded: every state an alias was ever
 * in (not only its end state), the versions Lambda holds, and what each release said about itself.
 * Pure: the chaos suite and its unit tests feed it records; it returns the breaches it finds.
 *
 *   I1  every alias state is 100 % stable, stable + candidate at a weight from the plan, or 100 % candidate;
 *       and it never ends split.
 *   I3  exactly one outcome; `succeeded` ends 100 % candidate, `rolled_back` ends 100 % stable.
 *   I4  one version per uploaded CodeSha256; no `conflict` unless someone else changed something.
 *   R5  every outside change is still in place at the end (no clobber), and a release that met one says
 *       `conflict` or `needs_attention`.
 */

export interface AliasState {
  functionVersion: string;
  /** Lambda's AdditionalVersionWeights: version → fraction 0.0–1.0. */
  additionalVersionWeights: Record<string, number>;
  revisionId: string;
  at: number;
}

export interface PublishedVersion {
  version: string;
  codeSha256: string;
}

/** A change someone other than Ramp made while the release ran. */
export interface OutsideChange {
  kind: 'alias' | 'code';
  /** For `alias`: the RevisionId the alias got from the outside write. For `code`: the CodeSha256 it set. */
  mark: string;
  /** Whether Ramp called AWS about the changed resource afterwards, and so had the chance to see it. */
  isSeenByRamp: boolean;
}

export interface ReleaseRecord {
  releaseId: string;
  functionName: string;
  alias: string;
  /** The version the alias served before the release; null when the release creates the alias. */
  stableVersion: string | null;
  /** As the release reported it; null if it never said. */
  candidateVersion: string | null;
  /** The plan's step weights, in percent. */
  planWeightsPercent: number[];
  /** Every outcome the release reported (a correct release reports exactly one). */
  outcomes: string[];
  /** The release's own last error, quoted in breaches so a reader sees what it said. */
  lastError?: string | undefined;
  /** Every state the alias has been in since before the release started, oldest first. */
  aliasHistory: AliasState[];
  /** `$LATEST`'s code at the end (for outside code changes). */
  latestCodeSha256: string | undefined;
  /** Versions created by the release (ListVersionsByFunction minus those that existed before). */
  newVersions: PublishedVersion[];
  outsideChanges: OutsideChange[];
}

/** The release invariants, and the scenario-level promises (R2, R3, R6, R7) the suite also counts as breaches. */
export type InvariantId = 'I1' | 'I3' | 'I4' | 'R2' | 'R3' | 'R5' | 'R6' | 'R7';

export interface Breach {
  invariant: InvariantId;
  releaseId: string;
  message: string;
}

const describeState = (state: AliasState) =>
  Object.keys(state.additionalVersionWeights).length === 0
    ? `${state.functionVersion} (100 %)`
    : `${state.functionVersion} + ${JSON.stringify(state.additionalVersionWeights)}`;

const isSplit = (state: AliasState) => Object.keys(state.additionalVersionWeights).length > 0;

/** Whether a fraction is one of the plan's percentages (Lambda keeps weights as given, so exact up to float). */
function isPlannedWeight(fraction: number, planWeightsPercent: number[]): boolean {
  return planWeightsPercent.some((percent) => Math.abs(fraction * 100 - percent) < 1e-6);
}

function stateProblem(state: AliasState, record: ReleaseRecord): string | undefined {
  const { stableVersion: stable, candidateVersion: candidate } = record;
  const weights = Object.entries(state.additionalVersionWeights);
  if (weights.length === 0) {
    if (state.functionVersion === stable || state.functionVersion === candidate) return undefined;
    return `alias at ${describeState(state)}: neither the stable version ${stable} nor the candidate ${candidate}`;
  }
  const [[extra, weight]] = weights as [[string, number]];
  if (weights.length > 1) return `alias at ${describeState(state)}: more than one extra version`;
  if (state.functionVersion !== stable || extra !== candidate) {
    return `alias at ${describeState(state)}: a split that is not stable ${stable} + candidate ${candidate}`;
  }
  if (!isPlannedWeight(weight, record.planWeightsPercent)) {
    return `alias at ${describeState(state)}: weight ${weight * 100} % is not in the plan [${record.planWeightsPercent.join(', ')}]`;
  }
  return undefined;
}

export function checkI1(record: ReleaseRecord): Breach[] {
  const breaches: Breach[] = [];
  const breach = (message: string) =>
    breaches.push({ invariant: 'I1', releaseId: record.releaseId, message });
  // A state written by someone else is theirs, not Ramp's; the R5 check judges what Ramp did after it.
  const outsideRevisions = new Set(
    record.outsideChanges.filter((change) => change.kind === 'alias').map((change) => change.mark),
  );
  for (const state of record.aliasHistory) {
    if (outsideRevisions.has(state.revisionId)) continue;
    const problem = stateProblem(state, record);
    if (problem) breach(problem);
  }
  const last = record.aliasHistory.at(-1);
  if (last && isSplit(last)) breach(`the alias ended split: ${describeState(last)}`);
  return breaches;
}

export function checkI3(record: ReleaseRecord): Breach[] {
  const breaches: Breach[] = [];
  const breach = (message: string) =>
    breaches.push({ invariant: 'I3', releaseId: record.releaseId, message });
  if (record.outcomes.length !== 1) {
    breach(
      record.outcomes.length === 0
        ? 'the release never reported an outcome'
        : `the release reported ${record.outcomes.length} outcomes: ${record.outcomes.join(', ')}`,
    );
    return breaches;
  }
  const [outcome] = record.outcomes;
  const last = record.aliasHistory.at(-1);
  if (outcome === 'succeeded') {
    if (!last || isSplit(last) || last.functionVersion !== record.candidateVersion) {
      breach(
        `succeeded, but the alias ends at ${last ? describeState(last) : 'nothing'}, not 100 % on the candidate ${record.candidateVersion}`,
      );
    }
  }
  if (outcome === 'rolled_back') {
    const isStable =
      record.stableVersion === null
        ? last === undefined
        : last !== undefined && !isSplit(last) && last.functionVersion === record.stableVersion;
    if (!isStable) {
      breach(
        `rolled_back, but the alias ends at ${last ? describeState(last) : 'nothing'}, not 100 % on the stable version ${record.stableVersion}`,
      );
    }
  }
  return breaches;
}

export function checkI4(record: ReleaseRecord): Breach[] {
  const breaches: Breach[] = [];
  const bySha = new Map<string, string[]>();
  for (const version of record.newVersions) {
    bySha.set(version.codeSha256, [...(bySha.get(version.codeSha256) ?? []), version.version]);
  }
  for (const [sha, versions] of bySha) {
    if (versions.length > 1) {
      breaches.push({
        invariant: 'I4',
        releaseId: record.releaseId,
        message: `versions ${versions.join(', ')} were all published from CodeSha256 ${sha}`,
      });
    }
  }
  if (record.outcomes.includes('conflict') && record.outsideChanges.length === 0) {
    breaches.push({
      invariant: 'I4',
      releaseId: record.releaseId,
      message: `a conflict outcome although nobody but Ramp changed anything (a false conflict)${record.lastError ? `; the release said: ${record.lastError}` : ''}`,
    });
  }
  return breaches;
}

export function checkR5(record: ReleaseRecord): Breach[] {
  const breaches: Breach[] = [];
  const breach = (message: string) =>
    breaches.push({ invariant: 'R5', releaseId: record.releaseId, message });
  const last = record.aliasHistory.at(-1);
  for (const change of record.outsideChanges) {
    if (change.kind === 'alias' && last?.revisionId !== change.mark) {
      const index = record.aliasHistory.findIndex((state) => state.revisionId === change.mark);
      const after = record.aliasHistory.slice(index + 1).map(describeState);
      breach(
        `clobbered an outside alias change: the alias was written again afterwards (${after.join(' → ')})`,
      );
    }
    if (change.kind === 'code' && record.latestCodeSha256 !== change.mark) {
      breach(
        `clobbered an outside code change: $LATEST is ${record.latestCodeSha256}, not the outside ${change.mark}`,
      );
    }
  }
  const [outcome] = record.outcomes;
  const seen = record.outsideChanges.filter((change) => change.isSeenByRamp);
  if (seen.length > 0 && outcome !== undefined && outcome !== 'conflict' && outcome !== 'needs_attention') {
    breach(
      `met ${seen.length} outside change(s) (${seen.map((c) => c.kind).join(', ')}) but ended ${outcome}, not conflict or needs_attention`,
    );
  }
  return breaches;
}

export function checkRelease(record: ReleaseRecord): Breach[] {
  return [...checkI1(record), ...checkI3(record), ...checkI4(record), ...checkR5(record)];
}
