// The two semver functions the tag order needs for tags its own version pattern leaves alone
// (`1.25`, `v2`, `3.19-alpine`). Required by sort.ts on first need; in the bundle this module
// is its own file, dist/semver.js (scripts/build.mjs), so activation neither parses nor runs it.
export { default as coerce } from 'semver/functions/coerce';
export { default as parse } from 'semver/functions/parse';
