/**
 * `ramp doctor`'s report: one row per check (what was tried, its result, the IAM action it needs, what was
 * found), then the actions no dry run can prove, then the verdict. Pure: the same rows give the same text.
 */
import { type CheckRow, isReleasable, uncheckableActions } from '../doctor/target-checks.ts';

export interface DoctorTarget {
  functionName: string;
  alias: string;
  region: string;
  roleArn?: string | undefined;
}

export function renderDoctorReport(target: DoctorTarget, rows: readonly CheckRow[]): string {
  const header = ['CHECK', 'RESULT', 'IAM ACTION', 'DETAIL'];
  const cells = rows.map((row) => [
    row.check,
    row.isRequired || row.result === 'ok' ? row.result : `${row.result} (optional)`,
    row.iamAction,
    row.detail,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)),
  );
  const line = (values: string[]) =>
    values
      .map((value, column) => (column === values.length - 1 ? value : value.padEnd(widths[column] ?? 0)))
      .join('  ');
  const as = target.roleArn ? ` as ${target.roleArn}` : '';
  const verdict = isReleasable(rows)
    ? 'A release could run.'
    : `A release could not run: fix ${rows
        // A skipped row waits on another one's fix, so only the causes are named.
        .filter((row) => row.isRequired && row.result !== 'ok' && row.result !== 'skipped')
        .map((row) => row.check)
        .join(', ')}.`;
  return [
    `ramp doctor: ${target.functionName}:${target.alias} in ${target.region}${as}`,
    '',
    line(header),
    ...cells.map(line),
    '',
    `Also needed, and not checkable without changing something: ${uncheckableActions.join(', ')}.`,
    verdict,
  ].join('\n');
}
