import type { ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { ACHIEVEMENT_CREDENTIAL_SCHEMA_URL } from './build.js';

/** Validates a credential against the JSON Schemas its `credentialSchema` names; undefined when it names none. */
export type SchemaCheck = (credential: unknown) => Promise<{ valid: boolean; message: string } | undefined>;

/** Gives the JSON Schema document published at a URL; throws (with the reason) when it cannot. */
export type SchemaLoader = (url: string) => Promise<object>;

const ENDORSEMENT_CREDENTIAL_SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json';
const VALIDATOR_TYPE = '1EdTechJsonSchemaValidator2019';
const COMPILED_LIMIT = 32;
/** A credential names as many schemas as it likes; each may be a fetch, so a verification checks this many. */
export const MAX_SCHEMAS_PER_CREDENTIAL = 4;

interface Compiled {
  schema: Schema;
  validate: ValidateFunction;
}

/**
 * A schema check for `credentialSchema` entries of type 1EdTechJsonSchemaValidator2019 (JSON Schema 2019-09,
 * OB 3.0 §8.2), over `source`: fixed schemas by published URL, or a loader (a folder, the network). Each
 * schema is compiled once. An Open Badges 3.0 credential that names no schema is checked against the
 * AchievementCredential (EndorsementCredential) schema all the same. A schema that cannot be loaded is
 * reported as not checked, with the reason.
 */
export function createSchemaCheck(source: ReadonlyMap<string, object> | SchemaLoader): SchemaCheck {
  const ajv = new Ajv2019.default({ strict: false, allErrors: false, validateSchema: false });
  addFormats.default(ajv);
  const load: SchemaLoader =
    typeof source === 'function'
      ? source
      : async (url) => {
          const schema = source.get(url);
          if (!schema) throw new Error('no such schema is known');
          return schema;
        };
  const compiled = new Map<string, Promise<Compiled>>();
  const compile = (url: string): Promise<Compiled> => {
    let entry = compiled.get(url);
    if (!entry) {
      if (compiled.size >= COMPILED_LIMIT) compiled.clear();
      entry = load(url).then((schema) => {
        // Compiled under no $id of its own: the published URL and the file's $id may differ (1EdTech's do).
        const { $id: _id, ...rest } = schema as Schema;
        return { schema: rest as Schema, validate: ajv.compile(rest) };
      });
      compiled.set(url, entry);
      // A failure is not kept: the next verification tries again (the loader decides how often it may).
      entry.catch(() => compiled.delete(url));
    }
    return entry;
  };
  return async (credential) => {
    const all = namedSchemas(credential);
    if (all.length === 0) return undefined;
    const urls = all.slice(0, MAX_SCHEMAS_PER_CREDENTIAL);
    const checked: string[] = [];
    const skipped: string[] = [];
    if (all.length > urls.length)
      skipped.push(
        `${all.length - urls.length} more left out (at most ${MAX_SCHEMAS_PER_CREDENTIAL} a credential)`,
      );
    for (const url of urls) {
      let entry: Compiled;
      try {
        entry = await compile(url);
      } catch (error) {
        skipped.push(`could not load ${url} (${(error as Error)?.message ?? String(error)})`);
        continue;
      }
      // JSON-LD allows one value where the schema wants an array (e.g. a single `proof`): wrap before checking.
      if (!entry.validate(wrapArrays(structuredClone(credential), entry.schema, entry.schema))) {
        const error = entry.validate.errors?.[0];
        return {
          valid: false,
          message: `${url}: ${error?.instancePath || '/'} ${error?.message ?? 'is invalid'}`,
        };
      }
      checked.push(url);
    }
    if (checked.length === 0) return { valid: true, message: `not checked: ${skipped.join('; ')}` };
    const rest = skipped.length > 0 ? `; not checked: ${skipped.join('; ')}` : '';
    return { valid: true, message: `valid against ${checked.join(', ')}${rest}` };
  };
}

/**
 * The schema URLs a credential is checked against: for an Open Badges 3.0 credential its type's schema first,
 * which it must satisfy whether it names it or not, then its 1EdTech validator entries.
 */
function namedSchemas(credential: unknown): string[] {
  const entries = (credential as { credentialSchema?: unknown }).credentialSchema;
  const list = (Array.isArray(entries) ? entries : entries ? [entries] : []) as {
    id?: unknown;
    type?: unknown;
  }[];
  const urls: string[] = [];
  const type = openBadgeV2Type(credential);
  if (type === 'EndorsementCredential') urls.push(ENDORSEMENT_CREDENTIAL_SCHEMA_URL);
  else if (type) urls.push(ACHIEVEMENT_CREDENTIAL_SCHEMA_URL);
  for (const entry of list)
    if (entry?.type === VALIDATOR_TYPE && typeof entry.id === 'string') urls.push(entry.id);
  return [...new Set(urls)];
}

/** The OB 3.0 type of a VCDM 2.0 credential (the schemas are written for VCDM 2.0), if any. */
function openBadgeV2Type(credential: unknown): 'AchievementCredential' | 'EndorsementCredential' | undefined {
  const context = (credential as { '@context'?: unknown })['@context'];
  if (!Array.isArray(context) || context[0] !== 'https://www.w3.org/ns/credentials/v2') return undefined;
  const type = (credential as { type?: unknown }).type;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('OpenBadgeCredential') || types.includes('AchievementCredential'))
    return 'AchievementCredential';
  return types.includes('EndorsementCredential') ? 'EndorsementCredential' : undefined;
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
