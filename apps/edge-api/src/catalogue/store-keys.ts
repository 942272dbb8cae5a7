// Where the catalogue lives in the blob store. Every key is built from a sha256 or a validated firmware
// version, never from a keyboard name: names are only looked up in a manifest.

export const OBJECTS_PREFIX = "catalogue/objects/";

export const objectKey = (sha256: string) => `${OBJECTS_PREFIX}${sha256}`;
export const manifestKey = (sha256: string) => `catalogue/manifests/${sha256}`;
export const pointerKey = (firmwareVersion: string) => `catalogue/current/${firmwareVersion}.json`;
