// Sonatype Nexus Repository 3: one Docker repository through its Registry API under
// `/repository/NAME/v2/`, listed by its catalog or a repository list, pulled through the
// repository's connector port or a proxy host (the pull host); Basic sign-in with a password or
// a user token.

import type { RegistryProvider } from '../provider';
import { NexusConnection } from './connection';
import { nexusForm, nexusFromDockerConfig, nexusFromForm, nexusToForm } from './form';

export { NexusConnection } from './connection';

export const nexusProvider: RegistryProvider = {
  form: nexusForm,
  fromForm: nexusFromForm,
  toForm: nexusToForm,
  fromDockerConfig: nexusFromDockerConfig,
  connect(config, secrets, ctx) {
    return new NexusConnection(config, secrets, ctx);
  },
};
