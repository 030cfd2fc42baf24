// Artifactory against a fake of its Docker API's own parts (the Bearer challenge naming its
// token endpoint under the repository key, access tokens as Bearer and identity tokens as
// Basic there, its error bodies, an unknown key) in front of the real registry served under
// `/artifactory/api/docker/KEY/v2/` by the path proxy: catalog pages followed under the path,
// tags, manifests and a delete through it, scopes that name the repository (not the path),
// the pull host in the references, each refusal in Artifactory's words, no secret in errors or
// logs; then Link headers that leave the base path or the origin.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { artifactoryProvider, type ArtifactoryConnection } from '../../src/providers/artifactory';
import { connectionFromDockerEntry } from '../../src/providers/dockerImport';
import type { FormValues } from '../../src/providers/form';
import { pullHost } from '../../src/providers/pullHost';
import { isRegistryError } from '../../src/registry/errors';
import { startFakeArtifactory, type FakeArtifactory } from '../support/fakes/artifactory';
import { allPages as all, failureWithout } from '../support/pages';

describe('Artifactory (fake Docker API parts + real registry under a path)', () => {
  let fake: FakeArtifactory;
  const logs: string[] = [];
  let open: ArtifactoryConnection[] = [];
  const connect = (values: FormValues): ArtifactoryConnection => {
    const r = artifactoryProvider.fromForm({ url: fake.address, repoKey: fake.key, ...values });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    const c = artifactoryProvider.connect({ id: 'a', ...r.config }, r.secrets, { log: (m) => logs.push(m) }) as ArtifactoryConnection;
    open.push(c);
    return c;
  };
  const done = async () => {
    await Promise.all(open.map((c) => c.dispose()));
    open = [];
  };
  const secrets = (): string[] => [fake.accessToken, fake.identityToken];
  const noSecret = (text: string) => {
    for (const s of secrets()) assert.ok(!text.includes(s), 'a secret reached the text');
  };
  const failure = (p: Promise<unknown>): Promise<Error> => failureWithout(p, secrets);

  before(async () => {
    fake = await startFakeArtifactory({ users: { deployer: 'cmVmdGtuOjAxOjE3deployer-identity-0123456789', reader: 'cmVmdGtuOjAxOjE3reader-identity-0123456789', outsider: 'cmVmdGtuOjAxOjE3outsider-identity-012345678' }, noRead: ['outsider'], noCatalog: ['reader'] });
    const p = fake.registry.pusher;
    await Promise.all([p.pushImage('team/app', ['1.0', 'latest']), p.pushImage('team/app', '0.9'), p.pushImage('tools', '1'), p.pushImage('web', 'v2')]);
  });
  after(async () => {
    await done();
    await fake?.stop();
    noSecret(logs.join('\n'));
  });

  test('an access token: the catalog, tags and a manifest through /artifactory/api/docker/KEY/v2/, the token sent as Bearer', async () => {
    fake.reset();
    const c = connect({ token: fake.accessToken });
    const repos = await all(await c.listRepositories());
    assert.deepEqual(repos.items.map((r) => r.name), ['team/app', 'tools', 'web']);
    const tags = await all(await c.listTags('team/app'));
    assert.deepEqual(tags.items.map((t) => t.name).sort(), ['0.9', '1.0', 'latest']);
    const head = await c.client.headManifest('team/app', '1.0');
    const manifest = await c.client.getManifest('team/app', 'latest');
    assert.equal(manifest.digest, head.digest);
    const prefix = '/artifactory/api/docker/docker-local';
    assert.ok(fake.proxy.requests.every((r) => r.path.startsWith(`${prefix}/v2/`)), fake.proxy.requests.map((r) => r.path).join('\n'));
    assert.deepEqual(
      fake.proxy.requests.filter((r) => r.forwarded).map((r) => `${r.method} ${r.forwarded}`),
      ['GET /v2/_catalog?n=1000', 'GET /v2/team/app/tags/list?n=1000', 'HEAD /v2/team/app/manifests/1.0', 'GET /v2/team/app/manifests/latest'],
    );
    assert.ok(fake.proxy.requests.filter((r) => r.forwarded).every((r) => r.scheme === 'Bearer' && r.user === fake.username));
    // Scopes name repositories, as under a registry at the root; the access token went as Bearer.
    assert.deepEqual(
      fake.tokenRequests.map((t) => `${t.scheme} ${t.user} ${t.scopes.join(' ')}`),
      ['Bearer deployer registry:catalog:*', 'Bearer deployer repository:team/app:pull'],
    );
    assert.equal(c.registryHost, `${new URL(fake.proxy.origin).host}/docker-local`, 'the repository path method by default');
    await done();
  });

  test('catalog pages: the Link Artifactory writes at the root, without its key, is followed under the path', async () => {
    fake.reset();
    const c = connect({ token: fake.accessToken });
    const pages = [];
    for await (const page of c.client.catalogPages({ pageSize: 2 })) pages.push(page.items);
    assert.deepEqual(pages, [['team/app', 'tools'], ['web']]);
    assert.deepEqual(
      fake.proxy.requests.filter((r) => r.forwarded).map((r) => r.path),
      ['/artifactory/api/docker/docker-local/v2/_catalog?n=2', '/artifactory/api/docker/docker-local/v2/_catalog?last=tools&n=2'],
    );
    await done();
  });

  test('an identity token with its user: Basic at the token endpoint; delete through the path', async () => {
    fake.reset();
    const pushed = await fake.registry.pusher.pushImage('scratch', 'gone');
    const c = connect({ username: 'deployer', token: 'cmVmdGtuOjAxOjE3deployer-identity-0123456789' });
    await c.client.deleteManifest('scratch', pushed.digest);
    assert.deepEqual(
      fake.proxy.requests.filter((r) => r.forwarded).map((r) => `${r.method} ${r.path}`),
      [`DELETE /artifactory/api/docker/docker-local/v2/scratch/manifests/${pushed.digest}`],
    );
    assert.deepEqual(fake.tokenRequests.map((t) => `${t.scheme} ${t.user} ${t.scopes.join(' ')}`), ['Basic deployer repository:scratch:delete,pull'], 'the challenge’s scope joins ours');
    const after = await failure(c.client.headManifest('scratch', 'gone'));
    assert.ok(isRegistryError(after, 'notFound'), String(after));
    await done();
  });

  test('the pull host: typed (subdomain or port method) or derived, in every reference the connection gives', async () => {
    const typed = artifactoryProvider.fromForm({ url: 'https://acme.jfrog.io', repoKey: 'docker-local', token: 't0ken', pullHost: 'https://Docker-Local.acme.jfrog.io/' });
    assert.ok(typed.ok);
    assert.equal(typed.config.url, 'https://acme.jfrog.io/artifactory/api/docker/docker-local');
    assert.equal(pullHost({ ...typed.config }), 'docker-local.acme.jfrog.io');
    const derived = artifactoryProvider.fromForm({ url: 'acme.jfrog.io', repoKey: 'Docker-Local', token: 't0ken' });
    assert.ok(derived.ok);
    assert.equal(pullHost(derived.config), 'acme.jfrog.io/docker-local');
    assert.equal(artifactoryProvider.toForm({ id: 'x', ...derived.config }).pullHost, '', 'a derived pull host is derived again after an edit');
    const pasted = artifactoryProvider.fromForm({ url: 'https://art.example.com/artifactory/api/docker/helm-oci/v2/', token: 't0ken' });
    assert.ok(pasted.ok);
    assert.equal(pasted.config.url, 'https://art.example.com/artifactory/api/docker/helm-oci');
    const hub = artifactoryProvider.fromForm({ url: 'acme.jfrog.io', repoKey: 'docker-local', token: 't0ken', pullHost: 'mirror/docker' });
    assert.ok(!hub.ok);
    assert.deepEqual(hub.errors, [{ field: 'pullHost', message: 'Docker would read “mirror/docker” as a Docker Hub namespace, not a host. Give the full host name (with a dot or a port), for example docker.example.com, nexus.example.com:8443 or acme.jfrog.io/docker-local.' }]);
    // Docker logins to the JFrog Platform: the subdomain method names the key, the platform host does not.
    const sub = connectionFromDockerEntry({ registry: 'docker-local.acme.jfrog.io', serverKey: 'docker-local.acme.jfrog.io', source: 'auths', username: 'ci@acme.com', password: 'cmVmdGtuOjAxOjE3imported' });
    assert.equal(sub.config.provider, 'artifactory');
    assert.equal(sub.config.url, 'https://acme.jfrog.io/artifactory/api/docker/docker-local');
    assert.equal(pullHost(sub.config), 'docker-local.acme.jfrog.io');
    assert.deepEqual(sub.secrets, { token: 'cmVmdGtuOjAxOjE3imported' });
    const platform = connectionFromDockerEntry({ registry: 'acme.jfrog.io', serverKey: 'acme.jfrog.io', source: 'auths', username: 'ci@acme.com', password: 'cmVmdGtuOjAxOjE3imported' });
    assert.equal(platform.config.provider, 'artifactory');
    const keyless = artifactoryProvider.connect({ id: 'k', ...platform.config }, platform.secrets, {});
    open.push(keyless as ArtifactoryConnection);
    assert.deepEqual((await keyless.test()).map((s) => [s.ok, s.field]), [[false, 'repoKey']], 'the key is asked for, nothing is sent');
    assert.equal(artifactoryProvider.toForm({ id: 'k', ...platform.config }).url, 'https://acme.jfrog.io/artifactory');
    const c = connect({ token: fake.accessToken, pullHost: 'docker.example.com:8443' });
    assert.equal(c.registryHost, 'docker.example.com:8443');
    assert.equal(pullHost(c.config), 'docker.example.com:8443');
    assert.equal(c.config.url, `${fake.address}/api/docker/docker-local`);
    await done();
  });

  test('refusals in Artifactory’s words: a bad access token, a bad identity token, no Read, no catalog, an unknown key', async () => {
    const host = new URL(fake.proxy.origin).host;
    const bad = connect({ token: 'eyJ2ZXIiOiIyIiwidHlwIjoiSldUIn0.wrong-token-0000000000' });
    const e1 = await failure(bad.listRepositories());
    assert.ok(isRegistryError(e1, 'unauthorized'));
    assert.equal(e1.message, `Artifactory at ${host} rejected the access token. It may have expired or been revoked: create a new one (Administration → User Management → Access Tokens) and edit the connection.`);
    assert.ok(!e1.message.includes('wrong-token'));
    const badId = connect({ username: 'deployer', token: 'cmVmdGtuOjAxOjE3not-the-right-one-0000000' });
    const e2 = await failure(badId.listTags('team/app'));
    assert.equal(e2.message, `Artifactory at ${host} rejected the identity token of deployer. It may have been revoked, or the user name is not the token’s owner: generate a new one (Edit Profile → Generate an Identity Token) and edit the connection.`);
    const outsider = connect({ username: 'outsider', token: 'cmVmdGtuOjAxOjE3outsider-identity-012345678' });
    const e3 = await failure(outsider.listTags('team/app'));
    assert.ok(isRegistryError(e3, 'forbidden'));
    assert.equal(e3.message, 'Artifactory does not give outsider the Read permission on docker-local. Ask an administrator to add it to a permission target for docker-local (Administration → User Management → Permissions).');
    const reader = connect({ username: 'reader', token: 'cmVmdGtuOjAxOjE3reader-identity-0123456789' });
    const e4 = await failure(reader.listRepositories());
    assert.equal(e4.message, 'Artifactory does not let reader list the catalog of docker-local (it needs the Read permission on the whole repository). Name the images to browse under Repositories in the connection, or ask an administrator for Read on docker-local.');
    const listed = connect({ username: 'reader', token: 'cmVmdGtuOjAxOjE3reader-identity-0123456789', repositories: 'team/app\nweb' });
    assert.deepEqual((await listed.listRepositories()).items.map((r) => r.name), ['team/app', 'web']);
    assert.ok((await listed.test()).every((s) => s.ok));

    const r = artifactoryProvider.fromForm({ url: fake.address, repoKey: 'docker-nope', token: fake.accessToken });
    assert.ok(r.ok);
    const nope = (): ArtifactoryConnection => {
      const n = artifactoryProvider.connect({ id: 'n', ...r.config }, r.secrets, {}) as ArtifactoryConnection;
      open.push(n);
      return n;
    };
    const missing = `Artifactory at ${host} has no Docker repository with the key “docker-nope”. Check the key under Administration → Repositories (keys are case-sensitive) and that the repository’s package type is Docker.`;
    const e5 = await failure(nope().listRepositories());
    assert.ok(isRegistryError(e5, 'invalid'), 'the fix is editing the connection');
    assert.equal(e5.message, missing);
    const steps = await nope().test();
    assert.deepEqual(steps.map((s) => [s.ok, s.field, s.detail]), [[false, 'repoKey', missing]]);
    const badSteps = await bad.test();
    assert.equal(badSteps.at(-1)!.field, 'token');
    assert.ok(!badSteps.at(-1)!.ok);
    for (const s of [...steps, ...badSteps]) noSecret(JSON.stringify(s));
    await done();
  });

  test('hostile: a next-page Link outside the base path or to another origin is refused, and not followed', async () => {
    const c = connect({ token: fake.accessToken });
    try {
      for (const [link, words] of [
        ['</artifactory/api/docker/other-key/v2/_catalog?last=tools&n=2>; rel="next"', /outside \/artifactory\/api\/docker\/docker-local\/v2\/ \(\/artifactory\/api\/docker\/other-key\/v2\/_catalog\); refused/],
        ['</artifactory/api/docker/docker-local/v2/%2e%2e/%2e%2e/system/_catalog>; rel="next"', /outside \/artifactory\/api\/docker\/docker-local\/v2\//],
        ['<http://evil.example/artifactory/api/docker/docker-local/v2/_catalog?last=tools&n=2>; rel="next"', /next-page link to another server \(evil\.example\); refused/],
      ] as const) {
        fake.reset();
        fake.proxy.rewriteLink = () => link;
        const pages: string[][] = [];
        const e = await failure(
          (async () => {
            for await (const page of c.client.catalogPages({ pageSize: 2 })) pages.push(page.items);
          })(),
        );
        assert.match(e.message, words);
        assert.deepEqual(pages, [], 'a page whose link is refused is not handed on as if complete');
        assert.deepEqual(fake.proxy.requests.filter((r) => r.forwarded).map((r) => r.path), ['/artifactory/api/docker/docker-local/v2/_catalog?n=2'], 'the link was not followed');
      }
    } finally {
      fake.proxy.rewriteLink = undefined;
    }
    await done();
  });
});
