// Written by scripts/write-version.mjs from package.json at build time.
export const PACKAGE_VERSION = '0.1.0';
