// User-interactive authentication (UIA), reusable by any endpoint that needs it: registration,
// device deletion, password change, deactivation and, later, cross-signing key upload.
// https://spec.matrix.org/latest/client-server-api/#user-interactive-authentication-api
//
// An endpoint states its policy (its name and flows) and calls requireUserInteractiveAuth with
// the request's `auth` dict. Until a flow is complete this throws UiaRequiredError, a 401 whose
// body is the spec's AuthenticationResponse (flows, params, session, completed, and errcode/error
// when a stage failed). Once a flow is complete it returns what the stages established.
//
// Sessions live in the uia_sessions table, not in memory: a client keeps its progress across a
// restart, and the store is the same one every endpoint sees without a shared in-process object.
// A session is bound to the endpoint that created it and to the requester's user id, expires
// after SESSION_LIFETIME_MS, and is consumed by the request that completes it, so one
// authentication authorises exactly one request.
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { MatrixError } from '../http/matrix-error.ts';
import type { Database } from '../storage/schema.ts';
import {
  consumeUiaSession,
  createUiaSession,
  getUiaSession,
  type UiaSession,
  updateUiaSession,
} from '../storage/uia-sessions.ts';
import { siweSettingsOf } from './siwe/siwe-settings.ts';
import { withWalletFlow } from './siwe/siwe-uia-stage.ts';
import { newSessionId } from './tokens.ts';
import { type AuthStage, type StageDeps, UIA_STAGES } from './uia-stages.ts';

export type { AuthStage } from './uia-stages.ts';

export const SESSION_LIFETIME_MS = 60 * 60 * 1000;

export interface UiaPolicy {
  /** Names the API call, e.g. `POST /register`: a session works only for the call that made it. */
  readonly endpoint: string;
  readonly flows: readonly (readonly AuthStage[])[];
  readonly params?: Readonly<Record<string, Record<string, unknown>>>;
}

export interface UiaInput {
  /** The request body's `auth`, as sent (schema-checked to be an object, if present). */
  auth: unknown;
  /** The user of the access token, when the endpoint has one. */
  requesterId?: string | undefined;
}

export interface UiaOutcome {
  /** The requester, else the user an m.login.password stage proved. */
  userId: string | undefined;
  /** The digest of the token an m.login.registration_token stage accepted. */
  registrationTokenDigest: string | undefined;
}

/** A 401 whose body is the spec's AuthenticationResponse rather than a plain error. */
export class UiaRequiredError extends MatrixError {
  readonly body: Record<string, unknown>;

  constructor(body: Record<string, unknown>, failure?: { errcode: string; message: string }) {
    super(401, failure?.errcode ?? 'M_UNAUTHORIZED', failure?.message ?? 'Authentication required');
    this.name = 'UiaRequiredError';
    // No errcode unless a stage failed: clients (matrix-js-sdk among them) show any errcode in a
    // 401 as a failed attempt.
    this.body = failure ? { errcode: failure.errcode, error: failure.message, ...body } : body;
  }

  override toJSON(): Record<string, unknown> {
    return this.body;
  }
}

export interface UiaDeps extends StageDeps {
  db: Kysely<Database>;
  now: () => number;
}

export function uiaDepsOf(ctx: Context): UiaDeps {
  return {
    db: ctx.db,
    serverName: ctx.config.serverName,
    now: ctx.now,
    siwe: siweSettingsOf(ctx.config),
  };
}

export async function requireUserInteractiveAuth(
  deps: UiaDeps,
  endpointPolicy: UiaPolicy,
  input: UiaInput,
): Promise<UiaOutcome> {
  // A user with a linked wallet may sign a message where a password is asked for.
  const policy = await withWalletFlow(deps, endpointPolicy, input.requesterId);
  const auth = asAuthDict(input.auth);
  const requesterId = input.requesterId ?? null;
  let session: UiaSession | undefined;
  if (auth?.session !== undefined) {
    session = await getUiaSession(deps.db, auth.session, deps.now());
    if (!session || session.endpoint !== policy.endpoint || session.userId !== requesterId) {
      const fresh = await startSession(deps, policy, requesterId);
      throw challenge(policy, fresh, {
        errcode: 'M_UNKNOWN',
        message: 'Unknown or expired session',
      });
    }
  }
  if (auth === undefined || (auth.type === undefined && session === undefined)) {
    throw challenge(policy, await startSession(deps, policy, requesterId));
  }
  // A client may attempt a stage without first asking for a session; it gets one implicitly.
  session ??= await startSession(deps, policy, requesterId);

  const type = auth.type;
  // A stage already completed is not run again (the spec forbids retrying completed stages).
  if (type !== undefined && !session.completed.includes(type)) {
    if (!isNextStage(policy.flows, session.completed, type)) {
      throw challenge(policy, session, {
        errcode: 'M_UNRECOGNIZED',
        message: `${type} is not the next stage of any offered flow`,
      });
    }
    const check = UIA_STAGES[type as AuthStage];
    const result = await check(deps, auth.fields, input.requesterId);
    if (!result.ok) throw challenge(policy, session, result);
    session.completed = [...session.completed, type];
    session.results = { ...session.results, [type]: result.result };
    if (!isComplete(policy.flows, session.completed)) {
      await updateUiaSession(deps.db, session);
      throw challenge(policy, session);
    }
  }
  if (!isComplete(policy.flows, session.completed)) throw challenge(policy, session);
  if (!(await consumeUiaSession(deps.db, session.sessionId))) {
    // Another request completed with this session first.
    const fresh = await startSession(deps, policy, requesterId);
    throw challenge(policy, fresh, { errcode: 'M_UNKNOWN', message: 'Session already used' });
  }
  const password = session.results['m.login.password'] as { userId?: string } | undefined;
  const token = session.results['m.login.registration_token'] as
    | { tokenDigest?: string }
    | undefined;
  return {
    userId: input.requesterId ?? password?.userId,
    registrationTokenDigest: token?.tokenDigest,
  };
}

interface AuthDict {
  type: string | undefined;
  session: string | undefined;
  fields: Record<string, unknown>;
}

function asAuthDict(auth: unknown): AuthDict | undefined {
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) return undefined;
  const fields = auth as Record<string, unknown>;
  const type = typeof fields.type === 'string' ? fields.type : undefined;
  const session = typeof fields.session === 'string' ? fields.session : undefined;
  return { type, session, fields };
}

async function startSession(
  deps: UiaDeps,
  policy: UiaPolicy,
  userId: string | null,
): Promise<UiaSession> {
  const now = deps.now();
  const session: UiaSession = {
    sessionId: newSessionId(),
    endpoint: policy.endpoint,
    userId,
    completed: [],
    results: {},
    expiresTs: now + SESSION_LIFETIME_MS,
  };
  await createUiaSession(deps.db, session, now);
  return session;
}

function isNextStage(flows: UiaPolicy['flows'], completed: readonly string[], type: string) {
  return flows.some(
    (flow) =>
      flow.length > completed.length &&
      completed.every((stage, i) => flow[i] === stage) &&
      flow[completed.length] === type,
  );
}

function isComplete(flows: UiaPolicy['flows'], completed: readonly string[]) {
  return flows.some(
    (flow) => flow.length === completed.length && flow.every((stage, i) => completed[i] === stage),
  );
}

function challenge(
  policy: UiaPolicy,
  session: UiaSession,
  failure?: { errcode: string; message: string },
): UiaRequiredError {
  return new UiaRequiredError(
    {
      flows: policy.flows.map((stages) => ({ stages: [...stages] })),
      params: policy.params ?? {},
      session: session.sessionId,
      ...(session.completed.length > 0 ? { completed: session.completed } : {}),
    },
    failure,
  );
}
