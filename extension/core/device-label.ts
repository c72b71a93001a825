import type { Translate } from '../i18n/i18n.js';

/** `runtime.getPlatformInfo().os` values as people write them. */
const OS_NAMES: Record<string, string> = {
  linux: 'Linux',
  mac: 'macOS',
  win: 'Windows',
  cros: 'ChromeOS',
  android: 'Android',
  openbsd: 'OpenBSD',
  fuchsia: 'Fuchsia',
};

/**
 * The label a browser pairs under ("Chrome on Linux", "Chrome en Linux"), in the language of the
 * browser that pairs; other devices list it as it was sent.
 */
export function deviceLabel(browserName: string, os: string, t: Translate): string {
  return t('device_label', [browserName, OS_NAMES[os] ?? os]);
}
