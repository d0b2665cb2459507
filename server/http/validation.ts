// ajv for every request part. Bodies are validated strictly (no type coercion, no defaults, no
// silently removed fields) so a wrong type is M_BAD_JSON, never a 500 further down. Query strings
// and path parameters arrive as text and are coerced to the schema's types.

import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

export function useAjvValidation(app: FastifyInstance): void {
  const bodyAjv = new Ajv({
    coerceTypes: false,
    useDefaults: false,
    allErrors: false,
    strict: false,
  });
  const textAjv = new Ajv({ coerceTypes: 'array', useDefaults: true, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodyAjv.compile(schema) : textAjv.compile(schema),
  );
}
