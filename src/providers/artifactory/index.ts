// JFrog Artifactory: one Docker repository (by key) through its Registry API under
// `/artifactory/api/docker/KEY/v2/`, listed by its catalog or a repository list, pulled through
// the pull host; access tokens as Bearer, identity tokens with the user name as Basic.

import type { RegistryProvider } from '../provider';
import { ArtifactoryConnection } from './connection';
import { artifactoryForm, artifactoryFromDockerConfig, artifactoryFromForm, artifactoryToForm } from './form';

export { ArtifactoryConnection } from './connection';

export const artifactoryProvider: RegistryProvider = {
  form: artifactoryForm,
  fromForm: artifactoryFromForm,
  toForm: artifactoryToForm,
  fromDockerConfig: artifactoryFromDockerConfig,
  connect(config, secrets, ctx) {
    return new ArtifactoryConnection(config, secrets, ctx);
  },
};
