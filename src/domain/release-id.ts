/**
 * A release's identity. Temporal guarantees one running workflow per workflow ID, so the workflow ID is
 * derived from region, function and alias: a second release for the same alias cannot start while one
 * runs, with no race and no home-made lock. Each release is then one run of that workflow ID, and its
 * public id joins both: `<region>.<function>.<alias>.<runId>`. Function and alias names cannot contain
 * dots (Lambda's patterns), so the id splits unambiguously and is safe in a URL.
 */
export interface ReleaseKey {
  region: string;
  functionShortName: string;
  alias: string;
}

export function releaseWorkflowId(key: ReleaseKey): string {
  return `release.${key.region}.${key.functionShortName}.${key.alias}`;
}

export function releaseIdOf(workflowId: string, runId: string): string {
  return `${workflowId.replace(/^release\./, '')}.${runId}`;
}

export interface ParsedReleaseId extends ReleaseKey {
  workflowId: string;
  runId: string;
}

const releaseIdPattern =
  /^([a-z]{2}(?:-gov)?-[a-z]+-\d)\.([a-zA-Z0-9_-]{1,64})\.([a-zA-Z0-9_-]{1,128})\.([0-9a-fA-F-]{36})$/;

export function parseReleaseId(id: string): ParsedReleaseId | undefined {
  const match = releaseIdPattern.exec(id);
  if (!match) return undefined;
  const [, region, functionShortName, alias, runId] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const key = { region, functionShortName, alias };
  return { ...key, workflowId: releaseWorkflowId(key), runId };
}
