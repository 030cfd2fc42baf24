// Google's connect form and what a filled form becomes: which registry (Artifact Registry by
// repository path, or a Container Registry host and project) and how to sign in (a
// service-account JSON key, or the application default credentials).

import type { DockerConfigEntry } from '../dockerConfig';
import { displayNameField, type FieldError, type FormValues, type ProviderForm } from '../form';
import { keepSecret, str } from '../generic';
import type { ConnectionConfig, ConnectionSecrets, FormResult } from '../provider';
import { keyFromDockerPassword, parseServiceAccountKey, type ServiceAccountKey } from './serviceAccountKey';
import { GCR_HOSTS, PROJECT_ID, parseArtifactRegistryPath, targetOf, targetPath, type GoogleRegistryKind, type GoogleTarget } from './target';

export const googleForm: ProviderForm = {
  id: 'google',
  title: 'Google Artifact Registry / Container Registry',
  description: 'Docker repositories in Artifact Registry (REGION-docker.pkg.dev) or Container Registry (gcr.io), with a service-account key or your gcloud credentials.',
  icon: 'cloud',
  help:
    'Sign in with a service-account JSON key, or with the application default credentials (what “gcloud auth application-default login” or GOOGLE_APPLICATION_CREDENTIALS set up). ' +
    'The account needs the Artifact Registry Reader role (roles/artifactregistry.reader) on the repository or project; for Container Registry, Storage Object Viewer on the project’s artifacts bucket (or Artifact Registry Reader where gcr.io is served by Artifact Registry). ' +
    'Deleting tags needs Artifact Registry Repository Administrator. Access tokens are fetched and renewed automatically; the key never leaves VS Code’s secret storage.',
  docsUrl: 'https://cloud.google.com/artifact-registry/docs/docker/authentication',
  fields: [
    {
      id: 'registry',
      label: 'Registry',
      kind: 'select',
      required: true,
      default: 'gar',
      options: [
        { value: 'gar', label: 'Artifact Registry (LOCATION-docker.pkg.dev)' },
        { value: 'gcr', label: 'Container Registry (gcr.io)' },
      ],
      help: 'Container Registry is deprecated: choose it for images named gcr.io/PROJECT/…, also where Artifact Registry now serves gcr.io; choose Artifact Registry for LOCATION-docker.pkg.dev/… images.',
    },
    {
      id: 'garPath',
      label: 'Repository path',
      kind: 'text',
      placeholder: 'us-central1-docker.pkg.dev/my-project/my-repo',
      help: 'LOCATION-docker.pkg.dev/PROJECT/REPOSITORY, as the copy button on the repository’s page in the Cloud console gives it. Leave off the repository to browse every Docker repository of the project in that location.',
      showIf: { field: 'registry', equals: 'gar' },
    },
    {
      id: 'gcrHost',
      label: 'Container Registry host',
      kind: 'select',
      default: 'gcr.io',
      options: GCR_HOSTS.map((h) => ({ value: h, label: h })),
      help: 'The host in your image names: gcr.io (US), us.gcr.io, eu.gcr.io or asia.gcr.io.',
      showIf: { field: 'registry', equals: 'gcr' },
    },
    {
      id: 'project',
      label: 'Project ID',
      kind: 'text',
      placeholder: 'my-project',
      help: 'The project ID as in gcr.io/PROJECT/image (not the display name or number). Leave empty to use the project of the service-account key.',
      showIf: { field: 'registry', equals: 'gcr' },
    },
    {
      id: 'auth',
      label: 'Sign in with',
      kind: 'select',
      required: true,
      default: 'key',
      options: [
        { value: 'key', label: 'Service-account JSON key' },
        { value: 'adc', label: 'Application default credentials (gcloud)' },
      ],
      help: 'Application default credentials are read when VS Code starts: GOOGLE_APPLICATION_CREDENTIALS, then “gcloud auth application-default login”, then the metadata server on Google Cloud.',
    },
    {
      id: 'keyJson',
      label: 'Service-account JSON key',
      kind: 'file',
      secret: true,
      placeholder: '{ "type": "service_account", "client_email": … }',
      fileFilters: { 'JSON key': ['json'] },
      help: 'Choose the key file or paste its contents. Create one in the Cloud console: IAM & Admin → Service accounts → the account → Keys → Add key → Create new key → JSON. Stored in VS Code’s secret storage.',
      showIf: { field: 'auth', equals: 'key' },
    },
    displayNameField('Defaults to the registry path'),
  ],
};

export function googleFromForm(values: FormValues, previous?: { config: ConnectionConfig; secrets: ConnectionSecrets }): FormResult {
  const errors: FieldError[] = [];
  const kind: GoogleRegistryKind = str(values, 'registry') === 'gcr' ? 'gcr' : 'gar';
  const auth = str(values, 'auth') === 'adc' ? 'adc' : 'key';
  if (!['', 'gar', 'gcr'].includes(str(values, 'registry'))) errors.push({ field: 'registry', message: 'Choose Artifact Registry or Container Registry.' });

  // The key first: its project can stand in for an empty project field.
  let key: ServiceAccountKey | undefined;
  let keyJson: string | undefined;
  if (auth === 'key') {
    const given = typeof values.keyJson === 'string' ? values.keyJson.trim() : '';
    // An edit that leaves the key blank keeps the stored one, unless it switched from ADC.
    keyJson = given || (previous?.config.options?.auth !== 'adc' ? keepSecret(values, 'keyJson', previous?.secrets) : undefined);
    const parsed = parseServiceAccountKey(keyJson ?? '');
    if (parsed.ok) key = parsed.key;
    else errors.push({ field: 'keyJson', message: parsed.message });
  }

  let target: GoogleTarget | undefined;
  if (kind === 'gar') {
    const parsed = parseArtifactRegistryPath(str(values, 'garPath'));
    if (parsed.ok) target = parsed.target;
    else errors.push({ field: 'garPath', message: parsed.message });
  } else {
    const host = str(values, 'gcrHost') || 'gcr.io';
    if (!(GCR_HOSTS as readonly string[]).includes(host)) errors.push({ field: 'gcrHost', message: `Choose one of ${GCR_HOSTS.join(', ')}.` });
    const project = str(values, 'project') || key?.project_id || '';
    if (!project) {
      errors.push({ field: 'project', message: auth === 'key' && key ? 'The key names no project: enter the project ID, as in gcr.io/PROJECT/image.' : 'Enter the project ID, as in gcr.io/PROJECT/image.' });
    } else if (!PROJECT_ID.test(project)) {
      errors.push({ field: 'project', message: `“${project.slice(0, 60)}” is not a project ID: IDs are 6 to 30 lower-case letters, digits and hyphens, starting with a letter (the ID, not the display name).` });
    } else {
      target = { kind, host, project };
    }
  }
  if (errors.length || !target) return { ok: false, errors };
  return {
    ok: true,
    config: {
      provider: 'google',
      name: str(values, 'name') || targetPath(target),
      url: target.host,
      options: {
        registry: kind,
        project: target.project,
        ...(target.location ? { location: target.location } : {}),
        ...(target.repository ? { repository: target.repository } : {}),
        auth,
        // The account is public metadata; showing it tells the user which key is in use.
        ...(key ? { account: key.client_email } : {}),
      },
    },
    secrets: keyJson && auth === 'key' ? { keyJson } : {},
  };
}

// `docker login -u _json_key` keeps the key itself; `gcloud auth configure-docker` leaves a
// credential helper, which means application default credentials. Container Registry takes
// its project from the key; where the entry does not say enough (an Artifact Registry host
// names no project), the import falls back to Generic v2 with the entry's credentials.
export function googleFromDockerConfig(entry: DockerConfigEntry): { config: Omit<ConnectionConfig, 'id'>; secrets: ConnectionSecrets } | undefined {
  const keyJson = keyFromDockerPassword(entry.username, entry.password);
  const adc = !keyJson && entry.helper !== undefined && /gcloud|gcr/.test(entry.helper);
  if (!keyJson && !adc) return undefined;
  if (!(GCR_HOSTS as readonly string[]).includes(entry.registry)) return undefined;
  const result = googleFromForm({ registry: 'gcr', gcrHost: entry.registry, auth: adc ? 'adc' : 'key', keyJson: keyJson ?? '', project: '' });
  return result.ok ? { config: result.config, secrets: result.secrets } : undefined;
}

export function googleToForm(config: ConnectionConfig): FormValues {
  const t = targetOf(config);
  return {
    registry: t.kind,
    garPath: t.kind === 'gar' ? targetPath(t) : '',
    gcrHost: t.kind === 'gcr' ? t.host : 'gcr.io',
    project: t.kind === 'gcr' ? t.project : '',
    auth: config.options?.auth === 'adc' ? 'adc' : 'key',
    keyJson: '',
    name: config.name,
  };
}
