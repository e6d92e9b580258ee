/**
 * JSON schemas of the routes: they validate requests, serialise responses and generate the
 * OpenAPI 3.1 document, so the three can never disagree.
 *
 * @module
 */
import { PROBLEM_CONTENT_TYPE } from './problem.js';

/** The NDJSON media type of streamed results. */
export const NDJSON = 'application/x-ndjson';

const paramValue = {
  anyOf: [
    { type: 'string', maxLength: 1000 },
    { type: 'number' },
    { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 1000 } },
  ],
} as const;

/** Named query parameters (`$name` in the query). */
export const paramsSchema = {
  type: 'object',
  description: 'Values of the query parameters, by name without the `$`.',
  maxProperties: 50,
  propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
  additionalProperties: paramValue,
} as const;

/** The problem document (RFC 9457). */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details, with baql extension members.',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', description: 'URI reference naming the kind of problem.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'The kind of problem, e.g. `bad-query`.' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      description:
        'Query diagnostics (`severity`, `code`, `message`, `span`, `hints`) or request-validation errors.',
      items: { type: 'object', additionalProperties: true },
    },
    upstreamCode: { type: 'string', description: 'The activity API error code (BAS_ or CMN_).' },
    upstreamStatus: { type: 'integer' },
    transactionId: {
      type: 'string',
      description: 'The upstream transactionId of the failed call.',
    },
    retryAfter: { type: 'integer', description: 'Seconds to wait before retrying.' },
    limit: { type: 'string', description: 'The limit that was exceeded.' },
  },
  additionalProperties: true,
} as const;

const problemResponse = (description: string) =>
  ({
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'Problem#' } } },
  }) as const;

/** The error answers every API route may give. */
export const errorResponses = {
  '4xx': problemResponse('The request was refused (see `code`).'),
  '5xx': problemResponse('The service or the activity API failed (see `code`).'),
} as const;

const windowSchema = {
  type: 'object',
  description: 'The resolved time window of the query.',
  required: ['start', 'end'],
  properties: {
    start: { type: 'string', format: 'date-time' },
    end: { type: 'string', format: 'date-time' },
    defaulted: { type: 'boolean', description: 'True when the query gave no time range.' },
  },
  additionalProperties: true,
} as const;

const summarySchema = {
  type: 'object',
  description: 'What running the query took.',
  properties: {
    rows: { type: 'integer' },
    requests: { type: 'integer' },
    pages: { type: 'integer' },
    retries: { type: 'integer' },
    bytes: { type: 'integer' },
    elapsedMs: { type: 'number' },
    truncated: { type: 'boolean', description: 'True when `limit` cut the result.' },
  },
  additionalProperties: true,
} as const;

const rowSchema = {
  type: 'object',
  description: 'One activity record (attribute → value) or one aggregate row.',
  additionalProperties: true,
} as const;

const queryText = (maxLength: number) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength,
    description: 'A baql query, e.g. `type:login since 1d`.',
  }) as const;

const limitSchema = (max: number) =>
  ({ type: 'integer', minimum: 1, description: `Most rows to return (at most ${max}).` }) as const;

const jsonResult = {
  type: 'object',
  required: ['rows', 'summary', 'window'],
  properties: {
    rows: { type: 'array', items: rowSchema },
    columns: { type: 'array', items: { type: 'string' } },
    kind: { type: 'string', enum: ['rows', 'aggregate'] },
    summary: summarySchema,
    window: windowSchema,
  },
  additionalProperties: false,
} as const;

const ndjsonLine = {
  description:
    'One JSON object per line: a `meta` line first, then `row` lines page by page, then one `summary` line ' +
    '(or an `error` line holding a problem document when the query fails after the stream began).',
  oneOf: [
    {
      type: 'object',
      properties: { type: { const: 'meta' }, requestId: { type: 'string' }, window: windowSchema },
      required: ['type'],
    },
    {
      type: 'object',
      properties: { type: { const: 'row' }, row: rowSchema },
      required: ['type', 'row'],
    },
    {
      type: 'object',
      properties: { type: { const: 'summary' }, summary: summarySchema },
      required: ['type', 'summary'],
    },
    {
      type: 'object',
      properties: { type: { const: 'error' }, problem: { $ref: 'Problem#' } },
      required: ['type', 'problem'],
    },
  ],
} as const;

const resultResponse = {
  description:
    'The result: JSON by default, NDJSON streamed page by page with `Accept: application/x-ndjson`.',
  content: {
    'application/json': { schema: jsonResult },
    [NDJSON]: { schema: ndjsonLine },
  },
} as const;

/** Operations whose request body may be left out (none is `{}`). */
export const OPTIONAL_BODIES: ReadonlySet<string> = new Set(['runSavedQuery']);

/** Route schemas, built for the configured limits. */
export function routeSchemas(limits: { readonly queryChars: number; readonly maxRows: number }) {
  const security = [{ bearerAuth: [] }, { apiKey: [] }];
  return {
    query: {
      operationId: 'runQuery',
      tags: ['query'],
      summary: 'Run a query',
      description:
        'Compiles and runs the query against the activity API. Send `Accept: application/x-ndjson` (or `format: "ndjson"`) ' +
        'to stream rows page by page; a client that disconnects stops the upstream paging.',
      security,
      body: {
        type: 'object',
        required: ['query'],
        additionalProperties: false,
        properties: {
          query: queryText(limits.queryChars),
          params: paramsSchema,
          limit: limitSchema(limits.maxRows),
          format: {
            type: 'string',
            enum: ['json', 'ndjson'],
            description: 'Overrides the Accept header.',
          },
        },
      },
      response: { 200: resultResponse, ...errorResponses },
    },
    validate: {
      operationId: 'validateQuery',
      tags: ['query'],
      summary: 'Check a query without running it',
      description:
        'Answers 200 with `valid` and the diagnostics (spans, hints), for a bad query too.',
      security,
      body: {
        type: 'object',
        required: ['query'],
        additionalProperties: false,
        properties: { query: queryText(limits.queryChars), params: paramsSchema },
      },
      response: {
        200: {
          description: 'The diagnostics of the query.',
          type: 'object',
          required: ['valid', 'diagnostics'],
          properties: {
            valid: { type: 'boolean' },
            diagnostics: { type: 'array', items: { type: 'object', additionalProperties: true } },
            window: windowSchema,
          },
          additionalProperties: false,
        },
        ...errorResponses,
      },
    },
    compile: {
      operationId: 'compileQuery',
      tags: ['query'],
      summary: 'Compile a query to its plan and exact upstream requests',
      security,
      body: {
        type: 'object',
        required: ['query'],
        additionalProperties: false,
        properties: { query: queryText(limits.queryChars), params: paramsSchema },
      },
      response: {
        200: {
          description:
            'The plan: resolved window, the exact upstream search requests, and the explanation.',
          type: 'object',
          required: ['window', 'requests'],
          properties: {
            window: windowSchema,
            requests: {
              type: 'array',
              description:
                'The `POST /v1/banking-activities` bodies (SearchCriteria) the query sends.',
              items: { type: 'object', additionalProperties: true },
            },
            residual: {
              description:
                'The part of the query evaluated on returned rows (null when the requests are exact).',
            },
            pipeline: {
              type: 'array',
              description: 'The `|` stages run on the rows (count, top, fields, ...).',
              items: { type: 'object', additionalProperties: true },
            },
            notes: {
              type: 'array',
              items: { type: 'string' },
              description: 'What the planner decided and why.',
            },
            explain: { type: 'string', description: 'The plan explained for humans.' },
          },
          additionalProperties: false,
        },
        ...errorResponses,
      },
    },
    complete: {
      operationId: 'completeQuery',
      tags: ['query'],
      summary: 'Completion candidates at a cursor offset',
      security,
      body: {
        type: 'object',
        required: ['text', 'offset'],
        additionalProperties: false,
        properties: {
          text: { type: 'string', maxLength: limits.queryChars },
          offset: { type: 'integer', minimum: 0, maximum: limits.queryChars },
        },
      },
      response: {
        200: {
          description: 'The candidates, and the span of text they replace.',
          type: 'object',
          required: ['items', 'replace'],
          properties: {
            items: { type: 'array', items: { type: 'object', additionalProperties: true } },
            replace: {
              type: 'object',
              required: ['start', 'end'],
              properties: { start: { type: 'integer' }, end: { type: 'integer' } },
            },
          },
          additionalProperties: false,
        },
        ...errorResponses,
      },
    },
    listSaved: {
      operationId: 'listSavedQueries',
      tags: ['saved queries'],
      summary: 'The saved queries this key may run, with their parameters',
      security,
      response: {
        200: {
          description: 'The saved queries.',
          type: 'object',
          required: ['queries'],
          properties: {
            queries: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'params'],
                properties: {
                  name: { type: 'string' },
                  description: { type: 'string' },
                  params: {
                    type: 'array',
                    description:
                      'Declared parameters (`name`, `type`, `required`, `default`, `description`).',
                    items: { type: 'object', additionalProperties: true },
                  },
                  problems: {
                    type: 'array',
                    description:
                      'Header errors of the file, as `baql check` reports them (`severity`, `code`, `message`, `span` with line and column in the file, `hints`); the query is refused when run.',
                    items: { type: 'object', additionalProperties: true },
                  },
                },
                additionalProperties: true,
              },
            },
          },
          additionalProperties: false,
        },
        ...errorResponses,
      },
    },
    runSaved: {
      operationId: 'runSavedQuery',
      tags: ['saved queries'],
      summary: 'Run a saved query with parameters',
      description: 'The body is optional: a saved query without parameters runs with none.',
      security,
      params: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', maxLength: 128 } },
      },
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          params: paramsSchema,
          limit: limitSchema(limits.maxRows),
          format: { type: 'string', enum: ['json', 'ndjson'] },
        },
      },
      response: { 200: resultResponse, ...errorResponses },
    },
    livez: {
      operationId: 'livez',
      tags: ['operations'],
      summary: 'Liveness: the process answers (checks no dependency)',
      response: {
        200: {
          description: 'Alive.',
          type: 'object',
          properties: { status: { type: 'string' } },
          required: ['status'],
        },
      },
    },
    readyz: {
      operationId: 'readyz',
      tags: ['operations'],
      summary: 'Readiness: a token is obtainable and the activity API is reachable',
      response: {
        200: {
          description: 'Ready.',
          type: 'object',
          properties: {
            status: { type: 'string' },
            checks: { type: 'object', additionalProperties: { type: 'string' } },
          },
          required: ['status', 'checks'],
        },
        503: {
          description: 'Not ready (or shutting down).',
          content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'Problem#' } } },
        },
      },
    },
  };
}
