/**
 * Cross-account releases: the IAM role a release acts through (spec `roleArn`, optional `externalId`), and
 * the STS session name its calls carry. Pure: used at the edge (spec validation), by activities and the
 * worker (which account a role's budgeted queue belongs to).
 */

/** An IAM role ARN, with an optional path: the account and the role's name are its groups. */
export const roleArnPattern = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
export const roleArnRule = 'an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>';

/** STS's rule for an ExternalId: 2–1224 characters of `[\w+=,.@:/-]`. */
export const externalIdPattern = /^[\w+=,.@:/-]{2,1224}$/;

/** The role a release's AWS calls act through. */
export interface TargetRole {
  roleArn?: string;
  externalId?: string;
}

/**
 * The role fields of a release's input, to pass on to its activities: none at all without a role, so the
 * activity inputs of a release without one are exactly what they were before roles existed.
 */
export function roleFieldsOf(input: TargetRole): TargetRole {
  return {
    ...(input.roleArn ? { roleArn: input.roleArn } : {}),
    ...(input.externalId ? { externalId: input.externalId } : {}),
  };
}

/** The account a role ARN names (where a release through it acts), or undefined for a malformed ARN. */
export function accountOfRoleArn(roleArn: string): string | undefined {
  return roleArnPattern.exec(roleArn)?.[1];
}

const sessionNameCharacters = /[^\w+=,.@-]/g;
const maxSessionNameLength = 64;

/**
 * The RoleSessionName for a release: STS allows 2–64 characters of `[\w+=,.@-]`, and a release id
 * (`<region>.<function>.<alias>.<runId>`) is often longer. An id that fits is used as it is; a longer one
 * keeps its end (the run id, which tells releases apart) behind a hash of the whole id, so two releases never
 * share a name. Deterministic: the same release always gets the same session name.
 */
export function roleSessionNameOf(releaseId: string): string {
  const cleaned = releaseId.replace(sessionNameCharacters, '_');
  if (cleaned.length >= 2 && cleaned.length <= maxSessionNameLength) return cleaned;
  if (cleaned.length < 2) return `ramp-${cleaned}`.padEnd(2, '_');
  const hash = fnv1a(releaseId).toString(16).padStart(8, '0');
  const tail = cleaned.slice(-(maxSessionNameLength - hash.length - 6));
  return `ramp-${hash}.${tail}`;
}

/** A small non-cryptographic hash (FNV-1a, 32 bits): pure, so domain code need not import node:crypto. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
