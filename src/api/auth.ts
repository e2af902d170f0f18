import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Bearer tokens. One admin token from RAMP_API_TOKEN for a quick setup, or a tokens file of named tokens
 * with scopes and function-name patterns (`payments-*` cannot touch `auth-*`). Tokens are stored and
 * compared as SHA-256 digests in constant time, and never logged.
 */
export const scopes = ['read', 'release', 'operate', 'admin'] as const;
export type Scope = (typeof scopes)[number];

export interface Principal {
  name: string;
  scopes: Scope[];
  /** Glob patterns of function names this token may act on. */
  functions: string[];
}

interface StoredToken extends Principal {
  digest: Buffer;
}

export interface AuthConfig {
  /** No token configured at all: the API is open (and must listen on loopback only). */
  isOpen: boolean;
  tokens: StoredToken[];
}

const tokensFileSchema = z.strictObject({
  tokens: z.array(
    z
      .strictObject({
        name: z.string().min(1),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, 'the token’s SHA-256 as 64 hex digits')
          .optional(),
        token: z.string().min(16).optional(),
        scopes: z.array(z.enum(scopes)).min(1),
        functions: z.array(z.string().min(1)).default(['*']),
      })
      .refine((t) => (t.sha256 === undefined) !== (t.token === undefined), {
        message: 'give exactly one of sha256 or token',
      }),
  ),
});

const digestOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export function loadAuthConfig(options: {
  adminToken?: string | undefined;
  tokensFile?: string | undefined;
}): AuthConfig {
  const tokens: StoredToken[] = [];
  if (options.adminToken) {
    tokens.push({ name: 'admin', scopes: ['admin'], functions: ['*'], digest: digestOf(options.adminToken) });
  }
  if (options.tokensFile) {
    const parsed = tokensFileSchema.safeParse(JSON.parse(readFileSync(options.tokensFile, 'utf8')));
    if (!parsed.success) {
      throw new Error(
        `${options.tokensFile}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    for (const token of parsed.data.tokens) {
      tokens.push({
        name: token.name,
        scopes: token.scopes,
        functions: token.functions,
        digest: token.sha256 ? Buffer.from(token.sha256, 'hex') : digestOf(token.token ?? ''),
      });
    }
  }
  return { isOpen: tokens.length === 0, tokens };
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; type: 'Unauthorized' | 'Forbidden'; message: string };

const openPrincipal: Principal = { name: 'anonymous (open API)', scopes: ['admin'], functions: ['*'] };

/** Who is calling, from the Authorization header. */
export function authenticate(config: AuthConfig, header: string | undefined): AuthResult {
  if (config.isOpen) return { ok: true, principal: openPrincipal };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1])
    return {
      ok: false,
      type: 'Unauthorized',
      message: 'missing bearer token: send Authorization: Bearer <token>',
    };
  const presented = digestOf(match[1]);
  // Compare against every token, without stopping early, so timing says nothing about which one matched.
  let found: StoredToken | undefined;
  for (const token of config.tokens) {
    if (timingSafeEqual(presented, token.digest) && !found) found = token;
  }
  if (!found) return { ok: false, type: 'Unauthorized', message: 'unknown or revoked token' };
  return { ok: true, principal: { name: found.name, scopes: found.scopes, functions: found.functions } };
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

export function mayActOnFunction(principal: Principal, functionName: string): boolean {
  return principal.functions.some((pattern) => globToRegExp(pattern).test(functionName));
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

export function authorize(principal: Principal, scope: Scope, functionName?: string): AuthResult {
  if (!hasScope(principal, scope)) {
    return { ok: false, type: 'Forbidden', message: `token "${principal.name}" lacks the "${scope}" scope` };
  }
  if (functionName !== undefined && !mayActOnFunction(principal, functionName)) {
    return {
      ok: false,
      type: 'Forbidden',
      message: `token "${principal.name}" may act on functions ${principal.functions.join(', ')}, not ${functionName}`,
    };
  }
  return { ok: true, principal };
}
