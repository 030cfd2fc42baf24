// A Harbor connection to a fake Harbor as the wizard would make it: its registry's URL, the
// fake's user, the fake's API in place of the one on the registry's origin.
import assert from 'node:assert/strict';
import { harborProvider, type HarborConnection } from '../../src/providers/harbor';
import type { FakeHarbor } from './fakes/harbor';

export function connectHarbor(fake: FakeHarbor, id = 'h'): HarborConnection {
  const r = harborProvider.fromForm({ url: fake.registry.url, username: fake.username, password: fake.password });
  assert.ok(r.ok);
  return harborProvider.connect({ id, ...r.config }, r.secrets, { apiBaseUrls: { harbor: fake.apiUrl } }) as HarborConnection;
}
