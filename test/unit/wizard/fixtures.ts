// Sample provider forms for the wizard tests (the real ones come from src/providers).
import type { ProviderForm } from '../../../src/providers/form';

export const genericForm: ProviderForm = {
  id: 'generic',
  title: 'Generic Registry v2',
  description: 'Any server that speaks the Docker Registry HTTP API v2.',
  icon: 'server',
  help: 'HTTPS is assumed; plain HTTP is allowed for localhost.\n\nSelf-signed servers: add the CA certificate.',
  docsUrl: 'https://distribution.github.io/distribution/spec/api/',
  fields: [
    { id: 'url', label: 'Registry URL', kind: 'url', required: true, placeholder: 'https://registry.example.com', help: 'Host and optional port.' },
    { id: 'username', label: 'Username', kind: 'text' },
    { id: 'password', label: 'Password or token', kind: 'password', secret: true, help: 'Stored in secret storage.' },
    { id: 'insecure', label: 'Allow insecure TLS', kind: 'checkbox', default: false },
    { id: 'caPem', label: 'CA certificate', kind: 'file', fileFilters: { 'PEM certificate': ['pem', 'crt'] }, help: 'PEM of the CA.' },
    { id: 'repositories', label: 'Repositories', kind: 'list', help: 'One per line.' },
  ],
};

export const ecrForm: ProviderForm = {
  id: 'ecr',
  title: 'Amazon ECR',
  description: 'Elastic Container Registry.',
  icon: 'cloud',
  fields: [
    { id: 'auth', label: 'Authentication', kind: 'select', options: [{ value: 'profile', label: 'AWS profile' }, { value: 'keys', label: 'Access keys' }], default: 'profile' },
    { id: 'profile', label: 'Profile', kind: 'text', required: true, showIf: { field: 'auth', equals: 'profile' } },
    { id: 'accessKeyId', label: 'Access key ID', kind: 'text', required: true, showIf: { field: 'auth', equals: 'keys' } },
    { id: 'secretAccessKey', label: 'Secret access key', kind: 'password', secret: true, required: true, showIf: { field: 'auth', equals: 'keys' } },
    { id: 'useSession', label: 'Session token', kind: 'checkbox', showIf: { field: 'auth', equals: 'keys' } },
    { id: 'sessionToken', label: 'Session token value', kind: 'textarea', secret: true, showIf: { field: 'useSession', equals: true } },
    { id: 'notes', label: 'Notes', kind: 'textarea' },
  ],
};

export const forms: ProviderForm[] = [genericForm, ecrForm];
