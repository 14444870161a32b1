import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, schemaFileText } from '#shared/model/json-schemas.ts';

/** `npm run schemas`: regenerates docs/schemas/*.schema.json from the zod models. */
const dir = fileURLToPath(new URL('../docs/schemas/', import.meta.url));
mkdirSync(dir, { recursive: true });
const schemas = jsonSchemas();
for (const file of readdirSync(dir)) {
  if (file.endsWith('.schema.json') && !(file.slice(0, -'.schema.json'.length) in schemas))
    rmSync(join(dir, file));
}
for (const [name, schema] of Object.entries(schemas)) {
  writeFileSync(join(dir, `${name}.schema.json`), schemaFileText(schema));
  console.log(`docs/schemas/${name}.schema.json`);
}
