import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { billingContractMarkdown } from '#shared/billing/contract-doc.ts';
import { jsonSchemas, schemaFileText } from '#shared/model/json-schemas.ts';
import { rulesMarkdown } from '#shared/rules/catalog-doc.ts';
import { ruleCatalog } from '#shared/rules/index.ts';
import { rolePoliciesText, synthesizedRolePolicies } from '../infra/role-policies.ts';
import { equivalentMutants, withEquivalents } from './lib/equivalent-mutants.ts';
import { mutatedFolders } from './lib/mutation-scores.ts';

/**
 * `npm run docs`: regenerates what docs/ derives from code: docs/schemas/*.schema.json from the zod
 * models, docs/rules.md from the rule catalog, docs/billing-contract.md from the billing models, and the
 * equivalent-mutant list of docs/testing.md from the source, and shared/iam/role-policies.json (the
 * deployed roles' policies the local runtime enforces) from a synth. Tests fail when any is stale.
 */
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

writeFileSync(fileURLToPath(new URL('../docs/rules.md', import.meta.url)), rulesMarkdown(ruleCatalog()));
console.log('docs/rules.md');

writeFileSync(
  fileURLToPath(new URL('../docs/billing-contract.md', import.meta.url)),
  billingContractMarkdown({
    batchReady: schemas['batch-ready'] ?? {},
    batchManifest: schemas['batch-manifest'] ?? {},
  }),
);
console.log('docs/billing-contract.md');

const root = fileURLToPath(new URL('..', import.meta.url));
const testingDoc = `${root}docs/testing.md`;
writeFileSync(
  testingDoc,
  withEquivalents(readFileSync(testingDoc, 'utf8'), equivalentMutants(root, mutatedFolders(root))),
);
console.log('docs/testing.md');

writeFileSync(`${root}shared/iam/role-policies.json`, rolePoliciesText(synthesizedRolePolicies()));
console.log('shared/iam/role-policies.json');
