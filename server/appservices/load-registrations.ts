// Reads the application service registration files named by `app_service_config_files` at start.
// Each is validated with ajv (the spec's registration schema; unknown keys such as bridges'
// vendor extensions are allowed) and its namespace regexes compiled. A bad file, or two
// registrations sharing an `id` or an `as_token` (which the spec says the server MUST refuse),
// stops the start with a ConfigError naming the file.
// https://spec.matrix.org/latest/application-service-api/#registration
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { userIdForLocalpart } from '../accounts/localpart.ts';
import { ConfigError } from '../config/load-config.ts';
import { MatrixError } from '../http/matrix-error.ts';
import { createAppServices } from './app-services.ts';
import { compileNamespaceRegex, type NamespaceEntry, type Namespaces } from './namespaces.ts';
import type { AppServiceRegistration } from './registration.ts';

const namespaceList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['exclusive', 'regex'],
    properties: { exclusive: { type: 'boolean' }, regex: { type: 'string', minLength: 1 } },
  },
} as const;

const registrationSchema = {
  type: 'object',
  required: ['id', 'url', 'as_token', 'hs_token', 'sender_localpart', 'namespaces'],
  properties: {
    id: { type: 'string', minLength: 1 },
    url: { type: ['string', 'null'] },
    as_token: { type: 'string', minLength: 1 },
    hs_token: { type: 'string', minLength: 1 },
    sender_localpart: { type: 'string', minLength: 1 },
    namespaces: {
      type: 'object',
      properties: { users: namespaceList, aliases: namespaceList, rooms: namespaceList },
    },
    rate_limited: { type: 'boolean' },
    protocols: { type: 'array', items: { type: 'string' } },
    receive_ephemeral: { type: 'boolean' },
  },
} as const;

interface RawNamespace {
  exclusive: boolean;
  regex: string;
}

interface RawRegistration {
  id: string;
  url: string | null;
  as_token: string;
  hs_token: string;
  sender_localpart: string;
  namespaces: { users?: RawNamespace[]; aliases?: RawNamespace[]; rooms?: RawNamespace[] };
  rate_limited?: boolean;
  protocols?: string[];
}

const validate = new Ajv({ allErrors: true, strict: false }).compile<RawRegistration>(
  registrationSchema,
);

/** Every file's registration, in order; throws ConfigError naming the first bad file. */
export function loadAppServiceRegistrations(
  files: readonly string[],
  serverName: string,
): AppServiceRegistration[] {
  const registrations: AppServiceRegistration[] = [];
  for (const file of files) {
    const registration = loadRegistrationFile(file, serverName);
    const sameId = registrations.find((earlier) => earlier.id === registration.id);
    if (sameId)
      throw invalid(file, `its id "${registration.id}" is already used by ${sameId.file}`);
    // Through the constant-time lookup, as every as_token comparison is.
    const sameToken = createAppServices(registrations).byToken(registration.asToken);
    if (sameToken) throw invalid(file, `its as_token is already used by ${sameToken.file}`);
    registrations.push(registration);
  }
  return registrations;
}

export function loadRegistrationFile(file: string, serverName: string): AppServiceRegistration {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalid(file, (err as Error).message);
  }
  if (!validate(parsed)) {
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath === '' ? 'registration' : e.instancePath.slice(1)} ${e.message}`,
    );
    throw invalid(file, problems.join('; '));
  }
  let senderUserId: string;
  try {
    senderUserId = userIdForLocalpart(parsed.sender_localpart, serverName);
  } catch (err) {
    if (!(err instanceof MatrixError)) throw err;
    throw invalid(file, `sender_localpart: ${err.message}`);
  }
  const namespaces: Namespaces = {
    users: compileList(file, 'users', parsed.namespaces.users),
    aliases: compileList(file, 'aliases', parsed.namespaces.aliases),
    rooms: compileList(file, 'rooms', parsed.namespaces.rooms),
  };
  return {
    file,
    id: parsed.id,
    url: parsed.url,
    asToken: parsed.as_token,
    hsToken: parsed.hs_token,
    senderLocalpart: parsed.sender_localpart,
    senderUserId,
    namespaces,
    rateLimited: parsed.rate_limited ?? true,
    protocols: parsed.protocols ?? [],
  };
}

function compileList(
  file: string,
  name: string,
  list: readonly RawNamespace[] | undefined,
): NamespaceEntry[] {
  return (list ?? []).map((entry, index) => {
    try {
      return { exclusive: entry.exclusive, regex: compileNamespaceRegex(entry.regex) };
    } catch (err) {
      throw invalid(file, `namespaces/${name}/${index}/regex: ${(err as Error).message}`);
    }
  });
}

function invalid(file: string, problem: string): ConfigError {
  return new ConfigError(`Invalid application service registration ${file}: ${problem}`);
}
