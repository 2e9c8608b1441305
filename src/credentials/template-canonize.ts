import jsonld, { type RdfQuad, type RdfTerm } from 'jsonld';
import * as rdfCanonize from 'rdf-canonize';

/**
 * RDFC-1.0 canonicalization of credentials through per-shape templates. Converting JSON-LD to RDF is ~75% of
 * a signature (ob3-signing note) and depends on the document's shape, not on its string values: credentials of
 * one shape (same keys, types, contexts, array lengths) are converted once with sentinel strings, and each
 * credential substitutes its values into a copy of that dataset before canonicalizing it, which is the cheap
 * step. The output must equal the library's byte for byte: a template is used only after its first credential
 * canonized the same both ways, and a value that would change the RDF shape (an IRI position holding a
 * non-absolute IRI) takes the plain path.
 */

// Keys whose string values shape the RDF (types, vocabulary terms, contexts): part of the template key.
const SHAPE_KEYS = new Set(['@context', 'type', '@type', 'proofPurpose', 'cryptosuite', 'statusPurpose']);
const SENTINEL_PREFIX = 'urn:laurel-template:';
const SENTINEL = /^urn:laurel-template:(\d+)$/;
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;
const TEMPLATE_LIMIT = 128;

type Canonize = (input: unknown, options: Record<string, unknown>) => Promise<string>;

interface Template {
  dataset: RdfQuad[];
  verified: boolean;
  usable: boolean;
}

interface Split {
  skeleton: unknown;
  values: string[];
  key: string;
}

function split(document: unknown): Split {
  const values: string[] = [];
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') {
      if (key !== undefined && SHAPE_KEYS.has(key)) return value;
      values.push(value);
      return `${SENTINEL_PREFIX}${values.length - 1}`;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, key));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = k === '@context' ? v : walk(v, k);
      return out;
    }
    return value;
  };
  const skeleton = walk(document, undefined);
  return { skeleton, values, key: JSON.stringify(skeleton) };
}

function substitute(term: RdfTerm, values: string[]): RdfTerm | undefined {
  const match = SENTINEL.exec(term.value);
  if (!match) return term;
  const value = values[Number(match[1])];
  if (value === undefined) return undefined;
  if (term.termType === 'NamedNode' && (!ABSOLUTE_IRI.test(value) || value.startsWith('_:')))
    return undefined;
  return { ...term, value };
}

function fill(dataset: RdfQuad[], values: string[]): RdfQuad[] | undefined {
  const out: RdfQuad[] = [];
  for (const quad of dataset) {
    const subject = substitute(quad.subject, values);
    const object = substitute(quad.object, values);
    if (!subject || !object || SENTINEL.test(quad.predicate.value) || SENTINEL.test(quad.graph.value))
      return undefined;
    out.push({ subject, predicate: quad.predicate, object, graph: quad.graph });
  }
  return out;
}

/** How many canonicalizations took the template path and how many the plain one. */
export interface TemplateStats {
  template: number;
  plain: number;
}

/** A `canonize` for the cryptosuite that takes the template path for credentials and `plain` otherwise. */
export function createTemplateCanonize(
  plainCanonize: Canonize,
  stats: TemplateStats = { template: 0, plain: 0 },
): Canonize {
  const plain: Canonize = (input, options) => {
    stats.plain++;
    return plainCanonize(input, options);
  };
  const templates = new Map<string, Template>();
  return async (input, options) => {
    const record = input as Record<string, unknown> | null;
    if (!record || typeof record !== 'object' || !('credentialSubject' in record))
      return plain(input, options);
    const opts = { algorithm: 'RDFC-1.0', format: 'application/n-quads', base: null, safe: true, ...options };
    const { skeleton, values, key } = split(input);
    let template = templates.get(key);
    if (!template) {
      const toRdfOptions: Record<string, unknown> = {
        rdfDirection: 'i18n-datatype',
        ...opts,
        produceGeneralizedRdf: false,
      };
      delete toRdfOptions.format;
      let dataset: RdfQuad[];
      try {
        dataset = await jsonld.toRDF(skeleton, toRdfOptions);
      } catch {
        return plain(input, options);
      }
      if (templates.size >= TEMPLATE_LIMIT) templates.clear();
      template = { dataset, verified: false, usable: true };
      templates.set(key, template);
    }
    if (!template.usable) return plain(input, options);
    const filled = fill(template.dataset, values);
    if (!filled) return plain(input, options);
    const fast = await rdfCanonize.canonize(filled, opts);
    if (!template.verified) {
      // The first credential of a shape proves the template: both paths must agree, else never use it.
      const reference = await plain(input, options);
      template.verified = true;
      template.usable = reference === fast;
      return reference;
    }
    stats.template++;
    return fast;
  };
}
