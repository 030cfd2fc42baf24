// The standard image set that client tests, tree tests and the demo share. Changing it breaks
// their expectations: add new repositories rather than altering these.
//
//   repository          tags            kind
//   alpine              3.19, latest    docker schema2, linux/amd64 (one manifest, two tags)
//   library/nginx       1.25            docker schema2, linux/amd64
//   multi/docker-list   latest          Docker manifest list: linux/amd64, linux/arm/v7
//   multi/oci-index     latest          OCI index: linux/amd64, linux/arm64/v8 + attestation (unknown/unknown)
//   oci/app             1.0             single OCI manifest, linux/amd64
//   team/backend/api    v1, v2          docker schema2, different digests (v2 newer)
//   team/frontend/web   main            docker schema2, linux/amd64
//
// Creation dates differ per image (see CREATED) so "sort by date" has something to sort.
import type { PushedImage, PushedIndex } from './push';
import type { RunningRegistry } from './registry';

export interface StandardImages {
  alpine: PushedImage;
  'library/nginx': PushedImage;
  'multi/docker-list': PushedIndex;
  'multi/oci-index': PushedIndex;
  'oci/app': PushedImage;
  'team/backend/api': { v1: PushedImage; v2: PushedImage };
  'team/frontend/web': PushedImage;
}

/** Repository names in catalog (byte) order. */
export const STANDARD_REPOSITORIES = [
  'alpine',
  'library/nginx',
  'multi/docker-list',
  'multi/oci-index',
  'oci/app',
  'team/backend/api',
  'team/frontend/web',
] as const;

/** Tags per repository, sorted. */
export const STANDARD_TAGS: Record<(typeof STANDARD_REPOSITORIES)[number], string[]> = {
  alpine: ['3.19', 'latest'],
  'library/nginx': ['1.25'],
  'multi/docker-list': ['latest'],
  'multi/oci-index': ['latest'],
  'oci/app': ['1.0'],
  'team/backend/api': ['v1', 'v2'],
  'team/frontend/web': ['main'],
};

export const CREATED = {
  alpine: '2024-01-26T23:44:44Z',
  nginx: '2024-02-14T18:00:00Z',
  ociApp: '2024-03-01T12:00:00Z',
  apiV1: '2024-04-01T09:00:00Z',
  apiV2: '2024-05-01T09:00:00Z',
  web: '2024-05-20T16:30:00Z',
} as const;

export async function seedStandardImages(reg: RunningRegistry): Promise<StandardImages> {
  const p = reg.pusher;
  const [alpine, nginx, dockerList, ociIndex, ociApp, apiV1, apiV2, web] = await Promise.all([
    p.pushImage('alpine', ['3.19', 'latest'], { created: CREATED.alpine, layerBytes: [3400, 200] }),
    p.pushImage('library/nginx', '1.25', { created: CREATED.nginx, layerBytes: [7000, 3000, 500] }),
    p.pushIndex('multi/docker-list', 'latest', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm', variant: 'v7' }], { format: 'docker' }),
    p.pushIndex('multi/oci-index', 'latest', [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64', variant: 'v8' }], {
      format: 'oci',
      attestation: true,
    }),
    p.pushImage('oci/app', '1.0', { format: 'oci', created: CREATED.ociApp, layerBytes: [5000] }),
    p.pushImage('team/backend/api', 'v1', { created: CREATED.apiV1, layerBytes: [2000, 1000] }),
    p.pushImage('team/backend/api', 'v2', { created: CREATED.apiV2, layerBytes: [2000, 1500] }),
    p.pushImage('team/frontend/web', 'main', { created: CREATED.web, layerBytes: [1200] }),
  ]);
  return {
    alpine,
    'library/nginx': nginx,
    'multi/docker-list': dockerList,
    'multi/oci-index': ociIndex,
    'oci/app': ociApp,
    'team/backend/api': { v1: apiV1, v2: apiV2 },
    'team/frontend/web': web,
  };
}
