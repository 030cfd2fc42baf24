// Which form field a failed connection test concerns, so the wizard shows the error next to
// it. A provider that knows says so in `TestStep.field`; otherwise the failure's wording
// picks a role (credentials, certificate, address, repository list) and the role picks the
// field this provider's form has for it: ECR's secret key, Docker Hub's token, Google's key.

import type { FieldError, ProviderForm } from './form';
import type { TestStep } from './provider';

type Role = 'credentials' | 'certificate' | 'address' | 'repositories';

const ROLES: readonly [RegExp, Role][] = [
  [/rejected|requires you to sign in|requires credentials|denied access|not authori[sz]ed|unauthori[sz]ed|incorrect authentication|invalid (token|key|credentials)|expired/i, 'credentials'],
  [/certificate|TLS/i, 'certificate'],
  [/refused the connection|could not be resolved|timed out|does not serve the Registry API|could not reach|did not answer|unreachable/i, 'address'],
  [/catalog/i, 'repositories'],
];

const ROLE_FIELDS: Record<Role, readonly string[]> = {
  credentials: ['password', 'token', 'secretAccessKey', 'keyJson', 'apiToken'],
  certificate: ['caPem'],
  address: ['url', 'loginServer', 'host'],
  repositories: ['repositories'],
};

export function fieldErrorsFor(step: TestStep, form: ProviderForm): FieldError[] {
  const message = step.detail ?? step.label;
  const has = (id: string) => form.fields.some((f) => f.id === id);
  if (step.field && has(step.field)) return [{ field: step.field, message }];
  const role = ROLES.find(([re]) => re.test(message))?.[1];
  if (!role) return [];
  const field = ROLE_FIELDS[role].find(has) ?? (role === 'credentials' ? form.fields.find((f) => f.secret)?.id : undefined);
  return field ? [{ field, message }] : [];
}
