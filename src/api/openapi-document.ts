import type { SwaggerTransformObject } from '@fastify/swagger';

type Document = ReturnType<SwaggerTransformObject>;

/**
 * The type provider writes every registered schema twice, as it is sent (`ReleaseSpecInput`) and as it is
 * answered (`ReleaseSpec`). Keep only the components the paths refer to, and give a schema used only as
 * input its plain name, so the document reads `ReleaseSpec` for the body a caller sends.
 */
export function tidyComponents(transform: SwaggerTransformObject): SwaggerTransformObject {
  return (input) => {
    const document = transform(input) as Document & { components?: { schemas?: Record<string, unknown> } };
    const schemas = document.components?.schemas;
    if (!schemas) return document;
    const refersTo = (text: string, name: string) => text.includes(`"#/components/schemas/${name}"`);
    const paths = JSON.stringify((document as { paths?: unknown }).paths ?? {});
    const used = new Set(Object.keys(schemas).filter((name) => refersTo(paths, name)));
    for (let grew = true; grew; ) {
      grew = false;
      for (const name of [...used]) {
        const text = JSON.stringify(schemas[name]);
        for (const other of Object.keys(schemas)) {
          if (!used.has(other) && refersTo(text, other)) {
            used.add(other);
            grew = true;
          }
        }
      }
    }
    const renames = new Map(
      [...used]
        .filter((name) => name.endsWith('Input') && !used.has(name.slice(0, -'Input'.length)))
        .map((name) => [name, name.slice(0, -'Input'.length)]),
    );
    let text = JSON.stringify({
      ...document,
      components: {
        ...document.components,
        schemas: Object.fromEntries(
          [...used].sort().map((name) => [renames.get(name) ?? name, schemas[name]]),
        ),
      },
    });
    for (const [from, to] of renames)
      text = text.replaceAll(`"#/components/schemas/${from}"`, `"#/components/schemas/${to}"`);
    return JSON.parse(text) as Document;
  };
}
