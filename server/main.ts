// The `cairn` command line: start, generate-config, register-user, deploy-anchor-contract,
// verify-room, export-room, version.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { registerUserFromCli } from './accounts/register-user-cli.ts';
import { deployAnchorContractFromCli } from './anchoring/deploy-anchor-contract.ts';
import { exportRoomFromCli } from './anchoring/export-room-cli.ts';
import { verifyRoomFromCli } from './anchoring/verify-room-cli.ts';
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
  deploy-anchor-contract [--anchorer ADDRESS] [--force]
                                deploy the history anchor contract with chain_rpc_url and
                                chain_private_key; prints the anchor_contract line
  verify-room <roomId> [--server URL] [--car FILE | --archive CID] [--rpc URL]
              [--contract ADDRESS] [--ipfs-api URL] [--access-token T]
                                check a room's history against its anchors on chain: exits 0
                                when intact, 1 naming the first broken link
  export-room <roomId> --server URL --car FILE [--access-token T]
                                save a room's events (IPLD blocks linked by prev_events) as CAR
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
      anchorer: { type: 'string' },
      server: { type: 'string' },
      'access-token': { type: 'string' },
      car: { type: 'string' },
      rpc: { type: 'string' },
      contract: { type: 'string' },
      'ipfs-api': { type: 'string' },
      archive: { type: 'string' },
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

    case 'deploy-anchor-contract': {
      const config = loadConfig({ configPath: values.config });
      const result = await deployAnchorContractFromCli(config, {
        anchorer: values.anchorer,
        force: values.force,
      });
      (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
      return result.ok ? 0 : 1;
    }

    case 'verify-room': {
      const [roomId] = args;
      if (!roomId) {
        process.stderr.write('cairn verify-room: give the room id\n');
        return 2;
      }
      return verifyRoomFromCli({
        roomId,
        server: values.server,
        accessToken: values['access-token'],
        car: values.car,
        rpcUrl: values.rpc,
        contract: values.contract,
        ipfsApi: values['ipfs-api'],
        archive: values.archive,
      });
    }

    case 'export-room': {
      const [roomId] = args;
      if (!roomId) {
        process.stderr.write('cairn export-room: give the room id\n');
        return 2;
      }
      return exportRoomFromCli({
        roomId,
        server: values.server,
        accessToken: values['access-token'],
        car: values.car,
      });
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
