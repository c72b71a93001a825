/**
 * Per-user settings (notifications, quiet hours, badge, remote images), kept by the relay so every
 * browser of the user agrees. Stored as one JSON value under SETTINGS_KEY; parsed on every read,
 * so a value written by an older or broken relay falls back to the defaults instead of crashing.
 */
import { DEFAULT_USER_SETTINGS, TidingsError, userSettingsSchema, type UserSettings } from '../../../shared/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';

export const SETTINGS_KEY = 'user-settings';

export function loadUserSettings(store: Store, userId: string, log?: Logger): UserSettings {
  const raw = store.getSetting(userId, SETTINGS_KEY);
  if (raw === undefined || raw === null) return structuredClone(DEFAULT_USER_SETTINGS);
  const parsed = userSettingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  log?.warn('stored user settings are invalid; using defaults', { userId });
  return structuredClone(DEFAULT_USER_SETTINGS);
}

/**
 * Validates what the schema cannot (an IANA time zone Intl knows), normalises (sorted unique
 * days, lower-case sender addresses, unique muted ids) and stores.
 */
export function saveUserSettings(store: Store, userId: string, settings: UserSettings): UserSettings {
  const { timeZone } = settings.notifications.quietHours;
  if (!isTimeZone(timeZone))
    throw new TidingsError(
      'BAD_REQUEST',
      `"${timeZone}" is not a time zone this relay knows (use an IANA name like Europe/Madrid)`,
    );
  const normalized: UserSettings = {
    ...settings,
    notifications: {
      ...settings.notifications,
      mutedAccounts: [...new Set(settings.notifications.mutedAccounts)],
      quietHours: {
        ...settings.notifications.quietHours,
        days: [...new Set(settings.notifications.quietHours.days)].sort((a, b) => a - b),
      },
    },
    remoteImagesAllowed: [...new Set(settings.remoteImagesAllowed.map((a) => a.trim().toLowerCase()))].filter(Boolean),
  };
  store.setSetting(userId, SETTINGS_KEY, normalized);
  return normalized;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
