/** What Ramp reads back from Lambda, as plain data the workflow can hold and show. */
export interface AliasState {
  functionVersion: string;
  /** RoutingConfig.AdditionalVersionWeights: version → fraction of traffic (0.0–1.0). */
  additionalVersionWeights: Record<string, number>;
  revisionId: string;
}

export interface FunctionTarget {
  functionArn: string;
  revisionId: string;
  codeSha256: string;
  state: string | undefined;
  lastUpdateStatus: string | undefined;
  /** Null when the alias does not exist yet (a first release). */
  alias: AliasState | null;
}

export function describeAlias(alias: AliasState | null): string {
  if (!alias) return 'no alias';
  const extra = Object.entries(alias.additionalVersionWeights)
    .map(([version, weight]) => `, version ${version} at ${Math.round(weight * 1000) / 10}%`)
    .join('');
  return `version ${alias.functionVersion}${extra ? extra : ''} (RevisionId ${alias.revisionId})`;
}

export function aliasEquals(
  alias: AliasState,
  functionVersion: string,
  weights: Record<string, number>,
): boolean {
  const actual = Object.entries(alias.additionalVersionWeights).filter(([, weight]) => weight > 0);
  const wanted = Object.entries(weights).filter(([, weight]) => weight > 0);
  return (
    alias.functionVersion === functionVersion &&
    actual.length === wanted.length &&
    wanted.every(
      ([version, weight]) => Math.abs((alias.additionalVersionWeights[version] ?? -1) - weight) < 1e-9,
    )
  );
}
