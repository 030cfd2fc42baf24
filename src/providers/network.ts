// Everything the VS Code side needs from the network side, as one module. The build makes it a
// bundle of its own (dist/network.js) that src/ui/network.ts requires on the first request, so
// activation loads neither undici, the registry client, the schemas nor any provider.

export { allProviders, providerFor, providerForRegistryHost } from './index';
export { fieldErrorsFor } from './stepFields';
export { dockerConfigPath, readDockerConfigFile } from './dockerConfig';
export { connectionFromDockerEntry } from './dockerImport';
export { findReferrers } from '../registry/referrers';
export { readReferrerPayload } from '../registry/referrerPayload';
export { CopyError, executeCopy, planCopy, retag } from '../registry/copy';
export { pullLimit } from '../registry/pullLimit';
export { readChartFiles } from '../registry/chartArchive';
export { readBundle } from '../registry/cnab';
export { pagesReadOffThread } from '../registry/offThread';
export { warmHttpPath } from '../registry/warmUp';
