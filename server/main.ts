// The `cairn` command line: start, generate-config, register-user, version.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { registerUserFromCli } from './accounts/register-user-cli.ts';
import { generateConfigYaml } from './config/generate-config.ts';
import { ConfigError, loadConfig } from './config/load-config.ts';
import { startServer } from './start.ts';
import { CAIRN_VERSION } from './version.ts';

const USAGE = `Usage: cairn <command> [options]

Commands:
  start                         run the homeserver
  generate-config [--output F]  write a commented config file (default: print it)
  register-user <name> [--password P] [--admin]
                                create a local account (on a running or stopped server)
  version                       print the version

Options:
  --config F   YAML config file (or CAIRN_CONFIG); CAIRN_* variables override it
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      output: { type: 'string', short: 'o' },
      password: { type: 'string', short: 'p' },
      admin: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }

  switch (command) {
    case 'version':
      process.stdout.write(`cairn ${CAIRN_VERSION}\n`);
      return 0;

    case 'generate-config': {
      const yaml = generateConfigYaml();
      if (!values.output) {
        process.stdout.write(yaml);
        return 0;
      }
      if (existsSync(values.output) && !values.force) {
        process.stderr.write(`${values.output} exists; pass --force to overwrite it\n`);
        return 1;
      }
      writeFileSync(values.output, yaml, { mode: 0o600 });
      process.stdout.write(`wrote ${values.output}\n`);
      return 0;
    }

    case 'start': {
      const server = await startServer(loadConfig({ configPath: values.config }));
      const stop = (signal: string) => {
        server.context.logger.info({ signal }, 'stopping');
        server.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return await new Promise<number>(() => {});
    }

    case 'register-user': {
      const [name] = args;
      if (!name) {
        process.stderr.write('register-user needs a user name\n');
        return 2;
      }
      const config = loadConfig({ configPath: values.config });
      const result = await registerUserFromCli(config, {
        localpart: name,
        password: values.password,
        admin: values.admin,
      });
      (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
      return result.ok ? 0 : 1;
    }

    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A configuration mistake is the user's to fix: the message is enough. Anything else is a
    // fault worth its stack trace.
    if (err instanceof ConfigError) process.stderr.write(`cairn: ${err.message}\n`);
    else console.error('cairn:', err);
    process.exit(1);
  },
);
