// `cairn generate-config`: a commented YAML file listing every key with its default.
// Keys without a default (and secrets) are written commented out, so the file is valid as is.
import { stringify } from 'yaml';
import { CONFIG_KEYS, envNameOf } from './config-keys.ts';

export function generateConfigYaml(overrides: Record<string, unknown> = {}): string {
  const lines = [
    '# Cairn homeserver configuration.',
    '# Every key can also be set with an environment variable, which wins over this file:',
    '# the key in upper case with a CAIRN_ prefix (server_name -> CAIRN_SERVER_NAME).',
    '',
  ];
  for (const k of CONFIG_KEYS) {
    lines.push(`# ${k.description}`, `# (${envNameOf(k.key)})`);
    const value = k.key in overrides ? overrides[k.key] : 'default' in k ? k.default : undefined;
    const line = stringify({ [k.key]: value ?? '' }).trimEnd();
    lines.push(value === undefined ? `#${line}` : line, '');
  }
  return lines.join('\n');
}
