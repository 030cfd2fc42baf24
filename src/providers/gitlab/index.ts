// GitLab Container Registry (gitlab.com or self-managed): repositories of the groups and
// projects the user chooses through `/api/v4`, tag facts per visible tag, the registry with
// the access or deploy token as the password.

import type { RegistryProvider } from '../provider';
import { GitLabConnection } from './connection';
import { gitlabForm, gitlabFromDockerConfig, gitlabFromForm, gitlabToForm } from './form';

export { GitLabConnection } from './connection';
export { GITLAB_COM_REGISTRY, gitlabGroups, gitlabProjects, isGitLabComHost } from './form';

export const gitlabProvider: RegistryProvider = {
  form: gitlabForm,
  fromForm: gitlabFromForm,
  toForm: gitlabToForm,
  fromDockerConfig: gitlabFromDockerConfig,
  connect(config, secrets, ctx) {
    return new GitLabConnection(config, secrets, ctx);
  },
};
