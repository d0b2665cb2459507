// Every client-visible failure is a MatrixError: `{errcode, error}` with the spec's HTTP status.
// https://spec.matrix.org/latest/client-server-api/#standard-error-response

export class MatrixError extends Error {
  readonly status: number;
  readonly errcode: string;
  readonly extra: Record<string, unknown>;

  constructor(
    status: number,
    errcode: string,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MatrixError';
    this.status = status;
    this.errcode = errcode;
    this.extra = extra;
  }

  toJSON(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const badJson = (message: string) => new MatrixError(400, 'M_BAD_JSON', message);
export const notJson = (message = 'Content not JSON.') =>
  new MatrixError(400, 'M_NOT_JSON', message);
export const forbidden = (message: string) => new MatrixError(403, 'M_FORBIDDEN', message);
export const notFound = (message = 'Not found') => new MatrixError(404, 'M_NOT_FOUND', message);
export const invalidParam = (message: string) => new MatrixError(400, 'M_INVALID_PARAM', message);
export const unrecognized = (message = 'Unrecognized request') =>
  new MatrixError(404, 'M_UNRECOGNIZED', message);
export const tooLarge = (message = 'Request too large') =>
  new MatrixError(413, 'M_TOO_LARGE', message);
export const missingToken = () => new MatrixError(401, 'M_MISSING_TOKEN', 'Missing access token');
export const unknownToken = (softLogout = false) =>
  new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Unrecognised access token', { soft_logout: softLogout });
