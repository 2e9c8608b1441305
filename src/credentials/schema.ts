import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { ACHIEVEMENT_CREDENTIAL_SCHEMA_URL } from './build.js';

/** Validates a credential against the JSON Schemas its `credentialSchema` names; undefined when it names none known. */
export type SchemaCheck = (credential: unknown) => { valid: boolean; message: string } | undefined;

/**
 * A schema check over `schemas` (published schema URL -> JSON Schema 2019-09 document), for
 * `credentialSchema` entries of type 1EdTechJsonSchemaValidator2019. The schemas are injected: Laurel keeps
 * no copy of the spec's files.
 */
export function createSchemaCheck(schemas: ReadonlyMap<string, object>): SchemaCheck {
  const ajv = new Ajv2019.default({ strict: false, allErrors: false, validateSchema: false });
  addFormats.default(ajv);
  const validators = new Map([...schemas].map(([url, schema]) => [url, ajv.compile(schema)]));
  return (credential) => {
    const entries = (credential as { credentialSchema?: unknown }).credentialSchema;
    const list = (Array.isArray(entries) ? entries : entries ? [entries] : []) as {
      id?: unknown;
      type?: unknown;
    }[];
    const known = list.filter(
      (entry) => entry?.type === '1EdTechJsonSchemaValidator2019' && validators.has(String(entry.id)),
    );
    // An OpenBadgeCredential must satisfy the AchievementCredential schema even when it does not name it.
    if (known.length === 0 && isOpenBadgeV2(credential) && validators.has(ACHIEVEMENT_CREDENTIAL_SCHEMA_URL))
      known.push({ id: ACHIEVEMENT_CREDENTIAL_SCHEMA_URL });
    if (known.length === 0) return undefined;
    for (const entry of known) {
      const validate = validators.get(String(entry.id))!;
      const schema = schemas.get(String(entry.id)) as Schema;
      // JSON-LD allows one value where the schema wants an array (e.g. a single `proof`): wrap before checking.
      if (!validate(wrapArrays(structuredClone(credential), schema, schema))) {
        const error = validate.errors?.[0];
        return {
          valid: false,
          message: `${entry.id}: ${error?.instancePath || '/'} ${error?.message ?? 'is invalid'}`,
        };
      }
    }
    return { valid: true, message: `valid against ${known.map((e) => e.id).join(', ')}` };
  };
}

function isOpenBadgeV2(credential: unknown): boolean {
  const context = (credential as { '@context'?: unknown })['@context'];
  if (!Array.isArray(context) || context[0] !== 'https://www.w3.org/ns/credentials/v2') return false;
  const type = (credential as { type?: unknown }).type;
  const types = Array.isArray(type) ? type : [type];
  return types.includes('OpenBadgeCredential') || types.includes('AchievementCredential');
}

type Schema = {
  $ref?: string;
  type?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  [key: string]: unknown;
};

function resolveRef(schema: Schema, root: Schema, depth = 0): Schema {
  if (depth > 20 || typeof schema.$ref !== 'string' || !schema.$ref.startsWith('#/')) return schema;
  let target: unknown = root;
  for (const part of schema.$ref.slice(2).split('/')) target = (target as Record<string, unknown>)?.[part];
  return target && typeof target === 'object' ? resolveRef(target as Schema, root, depth + 1) : schema;
}

function wrapArrays(value: unknown, schemaIn: Schema, root: Schema, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  const schema = resolveRef(schemaIn, root);
  if (schema.type === 'array' && !Array.isArray(value)) return wrapArrays([value], schema, root, depth + 1);
  if (Array.isArray(value)) {
    const items =
      schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)
        ? schema.items
        : undefined;
    return items ? value.map((item) => wrapArrays(item, items, root, depth + 1)) : value;
  }
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    if (key in record) record[key] = wrapArrays(record[key], child, root, depth + 1);
  return record;
}
