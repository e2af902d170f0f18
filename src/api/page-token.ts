import { createHash } from 'node:crypto';

/**
 * The API's page tokens wrap Temporal's with a checksum bound to the list's filters. Temporal answers a
 * token it did not issue with an UNKNOWN error that its client retries for many seconds; the checksum lets
 * the API refuse garbage, truncated tokens and tokens from another query at once, with a 400.
 * It is a checksum, not a signature: it catches mistakes, and Temporal still validates what it issued.
 */
const checksumLength = 12;
export const pageTokenPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{12}$/;

function checksum(token: string, filters: string): string {
  return createHash('sha256').update(`${filters}\n${token}`).digest('base64url').slice(0, checksumLength);
}

export function wrapPageToken(token: string, filters: string): string {
  return `${token}.${checksum(token, filters)}`;
}

/** Temporal's token, or undefined when the wrapped token is not one the API issued for these filters. */
export function unwrapPageToken(wrapped: string, filters: string): string | undefined {
  const dot = wrapped.lastIndexOf('.');
  const token = wrapped.slice(0, dot);
  return dot > 0 && wrapped.slice(dot + 1) === checksum(token, filters) ? token : undefined;
}
