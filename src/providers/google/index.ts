// Google Container Registry and Artifact Registry: one provider (`google`) whose form chooses
// between them, because they share everything that matters to a user — the sign-in (a
// service-account JSON key or the application default credentials), the credential the
// registries take (Basic `oauth2accesstoken` + a Google access token, see tokens.ts) and
// the IAM roles — and differ only in where images live and how they are listed
// (connection.ts): Container Registry (`gcr.io`, `us.gcr.io`, `eu.gcr.io`, `asia.gcr.io`;
// images are `HOST/PROJECT/IMAGE`) through the registry's catalog, Artifact Registry
// (`LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`) through its REST API (api.ts).

import type { RegistryProvider } from '../provider';
import { connectGoogle } from './connection';
import { googleForm, googleFromDockerConfig, googleFromForm, googleToForm } from './form';

export { ARTIFACT_REGISTRY_API } from './api';
export { GoogleConnection, connectGoogle, type GoogleTuning } from './connection';
export { GCR_HOSTS, isGoogleRegistryHost, parseArtifactRegistryPath, projectPath, targetOf, targetPath, type GoogleRegistryKind, type GoogleTarget } from './target';

export const googleProvider: RegistryProvider = {
  form: googleForm,
  fromForm: googleFromForm,
  toForm: googleToForm,
  fromDockerConfig: googleFromDockerConfig,
  connect(config, secrets, ctx) {
    return connectGoogle(config, secrets, ctx);
  },
};
