// An ECR test bed in one call: the real registry, the fake ECR API in front of it, no AWS
// credentials from the machine (config files in a temp folder, no instance metadata), and
// connections signed with one access key through the real SDK.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEcr, ecrProvider, type EcrConnection } from '../../src/providers/ecr';
import { startFakeEcr, type FakeAwsKey, type FakeEcr } from './fakes/ecr';
import { startRegistry, type RunningRegistry } from './registry';

export interface EcrBed {
  registry: RunningRegistry;
  fake: FakeEcr;
  /** A connection signed with the bed's key (dispose it). */
  connect(id: string): EcrConnection;
  stop(): Promise<void>;
}

export async function startEcrBed(key: FakeAwsKey): Promise<EcrBed> {
  const registry = await startRegistry({ mode: 'plain' });
  const fake = await startFakeEcr({ registry, keys: [key] });
  const awsDir = await mkdtemp(join(tmpdir(), 'ecr-bed-aws-'));
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_CONFIG_FILE: join(awsDir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true' });
  return {
    registry,
    fake,
    connect(id) {
      const r = ecrProvider.fromForm({ region: 'us-east-1', auth: 'keys', accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
      assert.ok(r.ok);
      return connectEcr({ id, ...r.config }, r.secrets, { apiBaseUrls: { ecr: fake.endpoint, 'ecr-registry': fake.registryUrl } }, {});
    },
    async stop() {
      process.env = saved;
      await fake.stop();
      await registry.stop();
      await rm(awsDir, { recursive: true, force: true });
    },
  };
}
