// Harbor (goharbor.io): projects → repositories → artifacts through `/api/v2.0`, with push
// dates, sizes, artifact types and scan summaries in the listing; the registry through the
// Registry v2 client with the same user, CLI secret or robot account.

import type { RegistryProvider } from '../provider';
import { HarborConnection } from './connection';
import { harborForm, harborFromDockerConfig, harborFromForm, harborToForm } from './form';

export { HarborConnection } from './connection';
export { harborProjects, isRobot, robotProject } from './form';

export const harborProvider: RegistryProvider = {
  form: harborForm,
  fromForm: harborFromForm,
  toForm: harborToForm,
  fromDockerConfig: harborFromDockerConfig,
  connect(config, secrets, ctx) {
    return new HarborConnection(config, secrets, ctx);
  },
};
