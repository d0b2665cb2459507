// A pattern for strings that end up in a text column: PostgreSQL refuses a NUL character there,
// so a NUL that got past the schema became a database error and a 500. The endpoint fuzzer
// (conformance-tests/security/fuzz-client-endpoints.test.ts) found these one field at a time.
export const NO_NUL = '^[^\\u0000]*$';
