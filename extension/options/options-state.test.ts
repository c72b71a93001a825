import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_SETTINGS } from '../../shared/index.js';
import { OptionsState } from './options-state.svelte.js';
import { fakeRelay } from '../testing/options-fakes.js';

describe('settings', () => {
  it('saves quiet hours in the browser’s time zone and follows changes made elsewhere', async () => {
    let saved = DEFAULT_USER_SETTINGS;
    const relay = fakeRelay({
      'settings.get': () => ({ settings: saved }),
      'settings.set': (p) => {
        saved = p.settings;
        return { settings: saved };
      },
    });
    const page = new OptionsState(relay.deps);
    page.open();
    await page.loadSettings();
    expect(await page.setQuietHours({ enabled: true, start: '23:00', days: [5, 1, 1] })).toBe(true);
    expect(saved.notifications.quietHours).toEqual({
      enabled: true,
      start: '23:00',
      end: '07:00',
      days: [1, 5],
      timeZone: 'Europe/Madrid',
    });
    await page.setAccountNotifications('acc-1', false);
    expect(saved.notifications.mutedAccounts).toEqual(['acc-1']);
    await page.setAccountNotifications('acc-1', true);
    expect(saved.notifications.mutedAccounts).toEqual([]);
    await page.setBadge({ countMode: 'new' });
    expect(page.saveState).toBe('saved');
    expect(page.savedSection).toBe('badge');

    const elsewhere = { ...saved, badge: { countMode: 'all' as const, hideAtZero: false } };
    relay.emit({ event: 'settings.changed', seq: 9, payload: { settings: elsewhere } });
    expect(page.settings?.badge).toEqual({ countMode: 'all', hideAtZero: false });
  });

  it('returns to the relay’s copy when saving fails', async () => {
    const relay = fakeRelay({
      'settings.get': () => ({ settings: DEFAULT_USER_SETTINGS }),
      'settings.set': () => ({ error: 'UNREACHABLE' }),
    });
    const page = new OptionsState(relay.deps);
    await page.loadSettings();
    expect(await page.setNotificationsEnabled(false)).toBe(false);
    expect(page.settings?.notifications.enabled).toBe(true);
    expect(page.saveState).toBe('error');
    expect(page.saveError?.message).toMatch(/cannot reach the mail server/);
  });
});

describe('devices', () => {
  it('lists this browser first and revokes after the inline confirmation', async () => {
    const relay = fakeRelay({
      'devices.list': () => ({
        devices: [
          {
            id: 'd1',
            label: 'Chrome on mac',
            origin: 'chrome-extension://a',
            createdAt: 1,
            lastSeenAt: 5,
            current: false,
          },
          {
            id: 'd2',
            label: 'Chrome on linux',
            origin: 'chrome-extension://b',
            createdAt: 2,
            lastSeenAt: 3,
            current: true,
          },
        ],
      }),
      'devices.revoke': () => ({}),
    });
    const page = new OptionsState(relay.deps);
    await page.loadDevices();
    expect(page.devices?.map((d) => d.id)).toEqual(['d2', 'd1']);
    expect(await page.revokeDevice('d1')).toBe(false);
    expect(page.confirmRevoke).toBe('d1');
    expect(await page.revokeDevice('d1')).toBe(true);
    expect(page.devices?.map((d) => d.id)).toEqual(['d2']);
  });
});
