// Starter deploy configs for a workspace that has none. The image is written in its familiar
// form (`nginx:1.25`), names are made valid Kubernetes names, and the output is what the
// finders read back, so the next link works on it.

import { familiarReference, parseReference } from '../registry/reference';
import { formatScalar } from './scalar';

export type CreateKind = 'kubernetes' | 'compose' | 'kustomize';

export interface CreatedFile {
  /** Relative to the folder the user picks. */
  path: string;
  text: string;
}

/**
 * A DNS-1123 label usable as a Deployment, Service and container name: lower case letters,
 * digits and `-`, at most 63, starting with a letter (Services need that; a leading digit gets
 * `app-`) and ending with a letter or digit. `My App_2` → `my-app-2`; nothing usable → `app`.
 */
export function dnsLabel(name: string): string {
  let s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // é → e
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '');
  if (/^[0-9]/.test(s)) s = `app-${s}`;
  s = s.slice(0, 63).replace(/-+$/, '');
  return s || 'app';
}

const v = (value: string) => formatScalar(value, 'plain', false);

function deployment(name: string, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
        - name: ${name}
          image: ${v(image)}
          ports:
            - name: http
              containerPort: 80 # the port your app listens on
`;
}

function service(name: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
`;
}

/** Throws RegistryError('invalid') when `image` is not a reference. */
export function createDeployConfig(kind: CreateKind, image: string, name: string): { files: CreatedFile[] } {
  const ref = parseReference(image, { defaultTag: false });
  const familiar = familiarReference(ref);
  const label = dnsLabel(name);
  switch (kind) {
    case 'kubernetes':
      return { files: [{ path: `k8s/${label}.yaml`, text: `${deployment(label, familiar)}---\n${service(label)}` }] };
    case 'compose':
      return {
        files: [
          {
            path: 'compose.yaml',
            text: `services:\n  ${label}:\n    image: ${v(familiar)}\n    ports:\n      - "8080:80" # host:container\n`,
          },
        ],
      };
    case 'kustomize': {
      // The base names the bare repository; the overlay's `images:` entry pins it, which is
      // what a link rewrites later.
      const bare = familiarReference({ registry: ref.registry, repository: ref.repository });
      const pins = [
        ...(ref.tag || !ref.digest ? [`    newTag: ${v(ref.tag ?? 'latest')}`] : []),
        ...(ref.digest ? [`    digest: ${v(ref.digest)}`] : []),
      ];
      return {
        files: [
          { path: 'k8s/base/deployment.yaml', text: deployment(label, bare) },
          { path: 'k8s/base/service.yaml', text: service(label) },
          {
            path: 'k8s/base/kustomization.yaml',
            text: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n',
          },
          {
            path: 'k8s/kustomization.yaml',
            text: `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - base\nimages:\n  - name: ${v(bare)}\n${pins.join('\n')}\n`,
          },
        ],
      };
    }
  }
}
