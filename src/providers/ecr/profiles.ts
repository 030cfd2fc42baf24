// The shared AWS config files a named profile comes from: where the SDK looks, and whether a
// profile is there (so a failed sign-in can say "no such profile" rather than the SDK's words).

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the SDK looks for profiles; what `aws configure` writes. */
export function awsConfigFiles(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
  };
}

/** Whether a profile section exists in the shared config or credentials file. */
export async function profileExists(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const files = awsConfigFiles(env);
  const sections = async (path: string, prefixed: boolean): Promise<string[]> => {
    const text = await readFile(path, 'utf8').catch(() => '');
    const names: string[] = [];
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
      if (!m) continue;
      const name = m[1]!;
      if (!prefixed) names.push(name);
      else if (name === 'default') names.push('default');
      else if (name.startsWith('profile ')) names.push(name.slice('profile '.length).trim());
    }
    return names;
  };
  const [inConfig, inCredentials] = await Promise.all([sections(files.config, true), sections(files.credentials, false)]);
  return inConfig.includes(profile) || inCredentials.includes(profile);
}
