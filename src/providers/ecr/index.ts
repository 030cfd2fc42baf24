// Amazon Elastic Container Registry. Images live at `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO`;
// the registry has no usable catalog, so repositories and tags come from the ECR API through
// the AWS SDK (api.ts); the registry takes Basic `AWS:<password>` from GetAuthorizationToken
// (authTokens.ts).
//
// Credentials for the API: an access key pair (with a session token for temporary keys), a
// named profile from the shared AWS config (SSO, assume-role and credential_process included:
// the SDK resolves and renews them), or the SDK's default chain (environment, shared files,
// SSO, container and instance roles).

import type { RegistryProvider } from '../provider';
import { connectEcr } from './connection';
import { ecrForm, ecrFromDockerConfig, ecrFromForm, ecrToForm } from './form';

export { ECR_MAX_RESULTS, EcrApi } from './api';
export { EcrAuthTokens } from './authTokens';
export { EcrConnection, connectEcr, type EcrTuning } from './connection';
export { mapAwsError } from './errors';
export { ecrSettings, type EcrSettings } from './form';
export { isEcrHost, parseEcrHost } from './hosts';

export const ecrProvider: RegistryProvider = {
  form: ecrForm,
  fromForm: ecrFromForm,
  toForm: ecrToForm,
  fromDockerConfig: ecrFromDockerConfig,
  connect(config, secrets, ctx) {
    return connectEcr(config, secrets, ctx);
  },
};
