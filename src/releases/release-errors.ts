import { FailureType } from '../domain/failure-types.ts';

/** Errors of the release client, each with the failure type the API maps to an HTTP status. */
export class ReleaseClientError extends Error {
  constructor(
    readonly type: FailureType | 'ReleaseNotFound' | 'IdempotencyKeyReused',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ReleaseClientError';
  }
}

export function alreadyRunning(runningReleaseId: string, alias: string): ReleaseClientError {
  return new ReleaseClientError(
    FailureType.AlreadyRunning,
    `a release is already running for ${alias}: ${runningReleaseId}; wait for it to end, or abort it`,
    { runningReleaseId },
  );
}

export function releaseNotFound(id: string): ReleaseClientError {
  return new ReleaseClientError('ReleaseNotFound', `no release ${id}`);
}

export function idempotencyKeyReused(key: string): ReleaseClientError {
  return new ReleaseClientError(
    'IdempotencyKeyReused',
    `Idempotency-Key ${key} was first used with a different request; a retry must send the same body, a new release needs a new key`,
  );
}
