/**
 * Validates every response the tests receive against the OpenAPI excerpt of the contract
 * (response schemas compiled from the YAML with ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const specPath = fileURLToPath(
  new URL('../../../../shared/reference/candescent-activity-openapi.yaml', import.meta.url),
);

interface Spec {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
      }
    >
  >;
  components: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
}

/** The parsed contract. */
export const spec = parse(readFileSync(specPath, 'utf8')) as Spec;

const AjvCtor = Ajv2020 as unknown as typeof Ajv2020.default;
const ajv = new AjvCtor({ strict: false, allErrors: true });
(addFormats as unknown as typeof addFormats.default)(ajv);
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('ascii', /^[\x20-\x7e]*$/);
ajv.addSchema({ ...(spec as object), $id: 'openapi' } as never);

const errorSchema = ajv.getSchema('openapi#/components/schemas/ErrorResponse');
const validators = new Map<string, ReturnType<typeof ajv.compile> | undefined>();

function validatorFor(path: string, method: string, status: number) {
  const key = `${method} ${path} ${status}`;
  if (validators.has(key)) return validators.get(key);
  const op = spec.paths[path]?.[method.toLowerCase()];
  let resp = op?.responses[String(status)];
  if (resp?.$ref) resp = spec.components.responses[resp.$ref.split('/').pop() ?? ''];
  const schema = resp?.content?.['application/json']?.schema as { $ref?: string } | undefined;
  const v = schema?.$ref
    ? ajv.getSchema(`openapi${schema.$ref}`)
    : schema
      ? ajv.compile(schema)
      : undefined;
  validators.set(key, v);
  return v;
}

/** Paths of the sandbox mapped to the contract's (the older activities path is the same operation). */
const CONTRACT_PATH: Record<string, string> = {
  '/data-apis/v1/banking-activities': '/v1/banking-activities',
};

/** Operations and statuses the contract declares; the tests record every validated pair. */
export const validated = new Set<string>();

/**
 * Asserts that a response conforms to the contract: a declared status of the operation (429 is
 * the documented fault extension and must carry the error shape), the declared JSON schema, and
 * an empty body for 204.
 */
export function assertConforms(path: string, method: string, status: number, body: string): void {
  const p = CONTRACT_PATH[path] ?? path;
  const op = spec.paths[p]?.[method.toLowerCase()];
  if (!op) throw new Error(`not a contract operation: ${method} ${path}`);
  validated.add(`${method} ${p} ${status}`);
  if (status === 204) {
    if (body !== '') throw new Error(`204 with a body: ${body.slice(0, 80)}`);
    if (!(String(status) in op.responses)) throw new Error(`${method} ${p} does not declare 204`);
    return;
  }
  if (status === 429) {
    if (!errorSchema?.(JSON.parse(body)))
      throw new Error(`429 body is not an ErrorResponse: ${body}`);
    return;
  }
  if (!(String(status) in op.responses))
    throw new Error(`${method} ${p} does not declare status ${status}`);
  const v = validatorFor(p, method, status);
  if (!v) throw new Error(`no schema for ${method} ${p} ${status}`);
  const value: unknown = JSON.parse(body);
  if (!v(value))
    throw new Error(
      `${method} ${p} ${status} does not match the contract: ${ajv.errorsText(v.errors)}\n${body.slice(0, 300)}`,
    );
}
