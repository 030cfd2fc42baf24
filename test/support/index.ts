// One import for tests: `import { startRegistry, seedStandardImages } from '../support'`.
export { makeSelfSignedCert, type CertOptions, type SelfSignedCert } from './certs';
export { startHostile, type HostileHandler, type HostileRequest, type HostileServer } from './hostile';
export { mapLimit } from './limit';
export { FULL_ACCEPT, MT } from './mediaTypes';
export { freePort } from './ports';
export { DEFAULT_CREATED, manyTagName, Pusher, sha256, type Platform, type PushImageOptions, type PushedImage, type PushedIndex } from './push';
export { startRegistry, type RegistryMode, type RunningRegistry, type StartRegistryOptions } from './registry';
export { CREATED, seedStandardImages, STANDARD_REPOSITORIES, STANDARD_TAGS, type StandardImages } from './seed';
export { INTERNAL_HEADER, startTokenServer, type RunningTokenServer, type TokenRequest, type TokenServerOptions } from './tokenServer';
