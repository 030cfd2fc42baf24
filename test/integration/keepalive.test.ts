// HEAD requests (one per tag on screen) reuse the connection: undici would otherwise close it
// after each one, and on an https registry every tag row would pay a TLS handshake.
import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { after, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/client';
import { staticCredentials } from '../../src/registry/credentials';
import { startRegistry, type RunningRegistry } from '../support';

describe('connection reuse', () => {
  let reg: RunningRegistry | undefined;
  after(async () => reg?.stop());

  test('twenty HEADs of tags, one after another, do not open a connection each', async () => {
    reg = await startRegistry({ mode: 'tls-basic' });
    await reg.pusher.pushImage('keep/alive', Array.from({ length: 20 }, (_, i) => `t${i}`));
    const client = new RegistryClient({ url: reg.url, caPem: reg.caPem, credentials: staticCredentials({ kind: 'basic', username: reg.username!, password: reg.password! }) });
    const sockets = new Set<unknown>();
    const onConnected = (m: unknown) => sockets.add((m as { socket: unknown }).socket);
    channel('undici:client:connected').subscribe(onConnected);
    try {
      for (let i = 0; i < 20; i++) await client.headManifest('keep/alive', `t${i}`);
    } finally {
      channel('undici:client:connected').unsubscribe(onConnected);
      await client.close();
    }
    // The first, anonymous HEAD is the probe, and the registry closes the connection after its
    // 401; everything after it shares one (21 before the fix: one per HEAD).
    assert.ok(sockets.size <= 2, `${sockets.size} connections for 20 HEADs`);
  });
});
