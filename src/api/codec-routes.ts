/**
 * Temporal's remote codec protocol (https://docs.temporal.io/codec-server), so the Temporal UI and
 * `temporal workflow show --codec-endpoint` can show encrypted payloads (RAMP_PAYLOAD_KEYS) in plaintext:
 * POST /codec/decode and /codec/encode with `{ "payloads": [...] }`, each payload in proto3 JSON (base64
 * `data` and metadata values). Decoding reveals everything a release holds (hook URLs, webhook secrets),
 * so it takes an operator's token that covers every function: a payload does not say whose it is.
 * Browsers call it across origins, from the UI's; RAMP_CODEC_CORS_ORIGINS lists the ones allowed.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, ApiErrorType } from './error-status.ts';
import { contextOf, type RouteAccess } from './request-context.ts';
import { errorBodySchema } from './schemas.ts';

export interface CodecRouteDeps {
  codec: PayloadCodec;
  /** Origins (scheme://host[:port]) whose browsers may call the codec. */
  corsOrigins: string[];
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const codecPayloadSchema = z
  .object({
    metadata: z.record(z.string(), base64).optional().describe('Metadata values, base64 (proto3 JSON).'),
    data: base64.optional().describe('The payload bytes, base64.'),
  })
  .describe('A Temporal Payload in proto3 JSON.');

export const codecBodySchema = z.object({ payloads: z.array(codecPayloadSchema).max(10_000) });

const fromJson = (payload: z.infer<typeof codecPayloadSchema>): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const toJson = (payload: Payload): z.infer<typeof codecPayloadSchema> => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

/** Decode and encode are for whoever may see and change every release: operate, and every function. */
function requireEveryFunction(request: FastifyRequest): void {
  const principal = contextOf(request).principal;
  if (principal && !principal.functions.includes('*') && !principal.scopes.includes('admin')) {
    throw new ApiError(
      ApiErrorType.Forbidden,
      `token "${principal.name}" may act on functions ${principal.functions.join(', ')} only; the codec needs a token for every function ("*"), since a payload does not say which release it belongs to`,
    );
  }
}

export function registerCodecRoutes(deps: CodecRouteDeps): FastifyPluginAsync {
  const allowed = new Set(deps.corsOrigins);
  const corsHeaders = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    reply.header('Vary', 'Origin');
    if (origin && allowed.has(origin)) {
      reply.header('Access-Control-Allow-Origin', origin);
      // The UI's "include cross-origin credentials" setting sends cookies and expects this.
      reply.header('Access-Control-Allow-Credentials', 'true');
    }
  };

  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    // On every answer of these routes, refusals included, so the UI can show why it was refused.
    app.addHook('onSend', async (request, reply, body) => {
      corsHeaders(request, reply);
      return body;
    });

    for (const direction of ['decode', 'encode'] as const) {
      // Audited: decoding reads every secret a release holds, so who did it is worth a line.
      const access: RouteAccess = { scope: 'operate', action: `codec.${direction}` };
      app.options(
        `/codec/${direction}`,
        { schema: { hide: true }, config: { rateLimit: false } },
        async (request, reply) => {
          const origin = request.headers.origin;
          if (!origin || !allowed.has(origin)) {
            throw new ApiError(
              ApiErrorType.Forbidden,
              `origin ${origin ?? '(none)'} may not call the codec; list it in RAMP_CODEC_CORS_ORIGINS`,
            );
          }
          return reply
            .code(204)
            .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
            .header('Access-Control-Allow-Headers', 'authorization, content-type, x-namespace')
            .header('Access-Control-Max-Age', '600')
            .send();
        },
      );
      app.post(
        `/codec/${direction}`,
        {
          config: access,
          schema: {
            summary:
              direction === 'decode'
                ? 'Decrypt payloads for the Temporal UI or CLI (remote codec protocol)'
                : 'Encrypt payloads for the Temporal UI or CLI (remote codec protocol)',
            description:
              'Temporal’s remote codec protocol, with the keys of RAMP_PAYLOAD_KEYS. Needs the `operate` scope on every function (`*`). Payloads that are not encrypted pass through decode unchanged.',
            tags: ['codec'],
            security: [{ bearer: [] }],
            body: codecBodySchema,
            response: {
              200: codecBodySchema,
              400: errorBodySchema,
              401: errorBodySchema,
              403: errorBodySchema,
              429: errorBodySchema,
            },
          },
        },
        async (request) => {
          requireEveryFunction(request);
          const payloads = request.body.payloads.map(fromJson);
          const answered =
            direction === 'decode' ? await deps.codec.decode(payloads) : await deps.codec.encode(payloads);
          return { payloads: answered.map(toJson) };
        },
      );
    }
  };
}
