/** Wire protocol version spoken in `hello`. Bump on any incompatible change to shared/. */
export const PROTOCOL_VERSION = 1;

/** Oldest protocol version the relay still accepts. */
export const MIN_PROTOCOL_VERSION = 1;
