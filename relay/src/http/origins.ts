/** Browser-extension Origins that may pair: Chrome/Edge and Firefox. Web pages may not. */
const EXTENSION_ORIGIN = /^(chrome-extension:\/\/[a-p]{32}|moz-extension:\/\/[0-9a-f-]{36})$/;

export function isExtensionOrigin(origin: string | undefined | null): origin is string {
  return typeof origin === 'string' && EXTENSION_ORIGIN.test(origin);
}
