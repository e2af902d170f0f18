/**
 * Release-spec requests for R6, generated with fast-check from the spec's own zod schema (through its JSON
 * Schema, so a new field is generated without touching this file), then mutated the ways a careless or
 * hostile caller would: a field dropped, an unknown field added, a value of the wrong type, a body that is
 * not a spec or not JSON at all.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { releaseSpecSchema } from '../../src/domain/spec.ts';

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
};

/** Fields whose refinements a generic string almost never meets: values that often do, and some that do not. */
function overrides(functionPrefix: string): Record<string, fc.Arbitrary<unknown>> {
  const duration = fc.oneof(
    fc.constantFrom('1s', '30s', '5m', '1h30m', '2d', 0, 1500),
    fc.string({ maxLength: 6 }),
    fc.integer({ min: -5, max: 10_000 }),
  );
  return {
    function: fc.oneof(
      { weight: 8, arbitrary: fc.nat({ max: 1_000_000 }).map((n) => `${functionPrefix}-${n}`) },
      { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((s) => `${functionPrefix}-${s}`) },
      {
        weight: 1,
        arbitrary: fc
          .nat({ max: 1_000_000 })
          .map((n) => `arn:aws:lambda:us-east-1:123456789012:function:${functionPrefix}-${n}`),
      },
    ),
    alias: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('live', 'prod', 'blue-green') },
      { weight: 1, arbitrary: fc.string({ maxLength: 130 }) },
    ),
    zipFile: fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .uint8Array({ minLength: 1, maxLength: 64 })
          .map((b) => Buffer.from(b).toString('base64')),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    ),
    bake: duration,
    interval: duration,
    approvalTimeout: duration,
    timeout: duration,
  };
}

function arbitraryOf(
  schema: JsonSchema,
  named: Record<string, fc.Arbitrary<unknown>>,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((branch) => arbitraryOf(branch, named, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const shape = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [
          key,
          named[key] ?? arbitraryOf(value, named, depth + 1),
        ]),
      );
      return fc.record(shape, { requiredKeys: (schema.required ?? []) as never[] });
    }
    case 'array':
      return fc.array(arbitraryOf(schema.items ?? {}, named, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'string':
      return schema.pattern
        ? fc.stringMatching(new RegExp(schema.pattern))
        : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? -1000, -1000),
        max: Math.min(schema.maximum ?? 1000, 100_000),
      });
    case 'number':
      return fc.double({
        min: schema.minimum ?? schema.exclusiveMinimum ?? -1000,
        max: schema.maximum ?? 1000,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

export interface GeneratedRequest {
  /** What the body is: `generated` (from the schema), a `mutated` spec, `json` noise or `raw` non-JSON text. */
  kind: 'generated' | 'mutated' | 'json' | 'raw';
  /** The JSON body; for `raw`, the text sent as is. */
  body: unknown;
  raw?: string;
}

function mutate(spec: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(spec);
  const key = keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('function');
  return fc.oneof(
    key.map((k) => {
      const { [k]: _dropped, ...rest } = spec;
      return rest;
    }),
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }))
      .map(([k, v]) => ({ ...spec, [`${k}_`]: v })),
    fc.tuple(key, fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => ({ ...spec, [k]: v })),
    fc.tuple(fc.constantFrom(-1, 0, 100.5, 1e308, -0), fc.boolean()).map(([weight, approval]) => ({
      ...spec,
      strategy: { steps: [{ weight, bake: '1s', approval }] },
    })),
  );
}

export function releaseRequestArbitrary(functionPrefix: string): fc.Arbitrary<GeneratedRequest> {
  const schema = z.toJSONSchema(releaseSpecSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const spec = arbitraryOf(schema, overrides(functionPrefix)) as fc.Arbitrary<Record<string, unknown>>;
  return fc.oneof(
    { weight: 3, arbitrary: spec.map((body) => ({ kind: 'generated' as const, body })) },
    { weight: 5, arbitrary: spec.chain(mutate).map((body) => ({ kind: 'mutated' as const, body })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((body) => ({ kind: 'json' as const, body })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{', '{"function":', '[1,2', 'null}', '\u0000'))
        .map((raw) => ({ kind: 'raw' as const, body: undefined, raw })),
    },
  );
}
