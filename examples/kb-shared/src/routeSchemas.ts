import { MAX_SEARCH_K } from './contract.js';

/**
 * JSON schemas for the routes' input. Fastify validates with them and answers 400 with a
 * message naming the offending field (`body/text must be string`).
 */
/**
 * Fastify `ajv` option both services use: metadata values are a union type (string, number or
 * boolean), which Ajv's strict mode wants allowed explicitly; a union also keeps `12` a number
 * where an `anyOf` would coerce it to the first branch's `"12"`.
 */
export const ajvOptions = { customOptions: { allowUnionTypes: true } } as const;

const metadata = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
  maxProperties: 32,
} as const;

const text = { type: 'string', minLength: 1, maxLength: 1_000_000 } as const;

export const postFactSchema = {
  body: {
    type: 'object',
    required: ['text'],
    additionalProperties: false,
    properties: { text: { type: 'string', minLength: 1, maxLength: 10_000 }, metadata },
  },
} as const;

export const getFactSchema = {
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' } },
  },
} as const;

export const postDocumentsSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      documents: {
        type: 'array',
        maxItems: 10_000,
        items: {
          type: 'object',
          required: ['text'],
          additionalProperties: false,
          properties: { id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' }, text, metadata },
        },
      },
      files: {
        type: 'array',
        maxItems: 10_000,
        // A plain file name inside the documents directory: no separators, no leading dot.
        items: { type: 'string', pattern: '^[^./\\\\][^/\\\\]{0,254}$' },
      },
    },
  },
} as const;

export const searchSchema = {
  querystring: {
    type: 'object',
    required: ['q'],
    properties: {
      q: { type: 'string', minLength: 1, maxLength: 1000 },
      k: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_K },
    },
  },
} as const;
