import { describe, expect, it } from 'vitest';
import {
  DEFAULT_USER_SETTINGS,
  type AccountDetails,
  type Diagnosis,
  type ErrorCode,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type ServerEvent,
} from '../../shared/index.js';
import type { CallResult, OptionsDeps } from './options-common.js';
import { OptionsState } from './options-state.svelte.js';
import { testTranslator } from '../testing/translator.js';

type Handlers = { [T in RequestType]?: (params: RequestParams<T>) => RequestResult<T> | { error: ErrorCode } };

/** A fake relay behind the proxy: records calls, answers from `handlers`. */
function fakeRelay(handlers: Handlers) {
  const calls: { type: RequestType; params: unknown }[] = [];
  const listeners = new Set<(event: ServerEvent) => void>();
  const deps: OptionsDeps = {
    call: async <T extends RequestType>(type: T, params: RequestParams<T>): Promise<CallResult<RequestResult<T>>> => {
      calls.push({ type, params: structuredClone(params) });
      const handler = handlers[type] as ((p: RequestParams<T>) => RequestResult<T> | { error: ErrorCode }) | undefined;
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_TYPE', message: `no fake for ${type}` } };
      const r = handler(params);
      if (typeof r === 'object' && r !== null && 'error' in r && typeof r.error === 'string')
        return { ok: false, error: { code: r.error as ErrorCode, message: `relay says ${r.error}` } };
      return { ok: true, result: r as RequestResult<T> };
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    t: testTranslator('en'),
    timeZone: () => 'Europe/Madrid',
    now: () => Date.UTC(2026, 5, 1),
  };
  return { deps, calls, emit: (event: ServerEvent) => listeners.forEach((l) => l(event)) };
}

const cert = {
  subject: 'CN=localhost',
  issuer: 'CN=localhost',
  validFrom: Date.UTC(2026, 0, 1),
  validTo: Date.UTC(2027, 0, 1),
  fingerprint256: 'AA:BB:CC',
  trusted: false,
  selfSigned: true,
};

function diagnosis(kind: 'ok' | 'auth' | 'selfSigned'): Diagnosis {
  const ok = { status: 'ok' as const, hint: null, ms: 1 };
  const steps: Diagnosis['steps'] = [
    { id: 'dns', detail: 'ok', ...ok },
    { id: 'tcp', detail: 'ok', ...ok },
  ];
  if (kind === 'selfSigned') {
    steps.push({ id: 'tls', status: 'fail', detail: 'self-signed', hint: 'pin it', ms: 1, code: 'TLS_FAILED' });
    steps.push({ id: 'capabilities', status: 'skipped', detail: '', hint: null, ms: null });
    steps.push({ id: 'auth', status: 'skipped', detail: '', hint: null, ms: null });
  } else {
    steps.push({ id: 'tls', detail: 'ok', ...ok });
    steps.push({ id: 'capabilities', detail: 'ok', ...ok });
    steps.push(
      kind === 'auth'
        ? { id: 'auth', status: 'fail', detail: 'rejected', hint: 'app password', ms: 1, code: 'AUTH_FAILED' }
        : { id: 'auth', detail: 'ok', ...ok },
    );
  }
  return {
    ok: kind === 'ok',
    steps,
    addresses: ['127.0.0.1'],
    tlsVersion: 'TLSv1.3',
    certificate: kind === 'selfSigned' ? cert : { ...cert, trusted: true, selfSigned: false },
    capabilities: kind === 'ok' ? ['IDLE'] : [],
    rttMs: kind === 'ok' ? 1 : null,
    error: kind === 'selfSigned' ? { code: 'TLS_FAILED', message: 'Untrusted certificate: AA:BB:CC' } : null,
  };
}

function details(overrides: Partial<AccountDetails> = {}): AccountDetails {
  return {
    id: 'acc-1',
    name: 'Work',
    color: '#2563eb',
    host: 'imap.example.org',
    port: 993,
    security: 'tls',
    username: 'ada@example.org',
    pinnedFingerprint: null,
    watchedMailboxes: ['INBOX'],
    archiveMailbox: null,
    ...overrides,
  };
}

describe('adding an account', () => {
  it('discovers, diagnoses, saves, and forgets the password', async () => {
    const relay = fakeRelay({
      'accounts.discover': () => ({
        candidates: [
          { host: 'imap.example.org', port: 993, security: 'tls', source: 'autoconfig', username: 'ada@example.org' },
        ],
      }),
      'accounts.diagnose': () => diagnosis('ok'),
      'accounts.add': (p) => ({
        account: details({ name: p.name, color: p.color }),
        diagnosis: diagnosis('ok'),
      }),
    });
    const page = new OptionsState(relay.deps);
    const setup = page.startAdd();
    setup.chooseProvider('custom');
    setup.email = 'not an address';
    expect(await setup.submitAddress()).toBe(false);
    expect(setup.errors.email).toMatch(/email address/);
    setup.email = ' ada@example.org ';
    setup.name = 'Work';
    expect(await setup.submitAddress()).toBe(true);
    expect(setup.step).toBe('server');
    expect(setup.source).toBe('autoconfig');
    expect(setup.server.host).toBe('imap.example.org');
    expect(setup.server.username).toBe('ada@example.org');

    // Nothing to test without a password; Save is not offered before a passing diagnosis.
    expect(await setup.test()).toBe(false);
    expect(setup.errors.password).toBe('Enter the password.');
    expect(setup.canSave).toBe(false);
    setup.password = 'secret';
    expect(await setup.test()).toBe(true);
    expect(setup.canSave).toBe(true);
    // Editing the settings after the test asks for a new one.
    setup.server.port = '994';
    setup.edited();
    expect(setup.canSave).toBe(false);
    setup.server.port = '993';
    expect(await setup.test()).toBe(true);

    expect(await setup.save()).toBe(true);
    expect(setup.password).toBe('');
    expect(page.setup).toBeNull();
    expect(page.flash).toMatch(/^Added Work/);
    const add = relay.calls.find((c) => c.type === 'accounts.add');
    expect(add?.params).toEqual({
      settings: {
        host: 'imap.example.org',
        port: 993,
        security: 'tls',
        username: 'ada@example.org',
        pinnedFingerprint: null,
      },
      password: 'secret',
      name: 'Work',
      color: '#2563eb',
      watchedMailboxes: ['INBOX'],
    });
  });

  it('shows the app-password fix for a refused password and saves nothing', async () => {
    const relay = fakeRelay({
      'accounts.discover': () => ({
        candidates: [
          { host: 'imap.gmail.com', port: 993, security: 'tls', source: 'preset', username: 'ada@gmail.com' },
        ],
      }),
      'accounts.diagnose': () => diagnosis('auth'),
    });
    const setup = new OptionsState(relay.deps).startAdd();
    setup.chooseProvider('gmail');
    setup.email = 'ada@gmail.com';
    await setup.submitAddress();
    setup.password = 'my-normal-password';
    expect(await setup.test()).toBe(false);
    expect(setup.password).toBe('');
    expect(setup.errors.password).toMatch(/refused this password/);
    expect(setup.canSave).toBe(false);
    expect(await setup.save()).toBe(false);
    expect(relay.calls.map((c) => c.type)).not.toContain('accounts.add');
  });

  it('falls back to the provider preset when discovery finds nothing (custom domain at Google)', async () => {
    const relay = fakeRelay({ 'accounts.discover': () => ({ candidates: [] }) });
    const setup = new OptionsState(relay.deps).startAdd();
    setup.chooseProvider('gmail');
    setup.email = 'ada@company.example';
    await setup.submitAddress();
    expect(setup.server.host).toBe('imap.gmail.com');
    expect(setup.server.username).toBe('ada@company.example');
    expect(setup.source).toBe('preset');
  });

  it('pins a self-signed certificate only after the user confirmed it', async () => {
    let seenPin: string | null = null;
    const relay = fakeRelay({
      'accounts.discover': () => ({ candidates: [] }),
      'accounts.diagnose': (p) => {
        seenPin = p.settings.pinnedFingerprint;
        return diagnosis(p.settings.pinnedFingerprint === 'AA:BB:CC' ? 'ok' : 'selfSigned');
      },
      'accounts.add': () => ({ account: details({ pinnedFingerprint: 'AA:BB:CC' }), diagnosis: diagnosis('ok') }),
    });
    const setup = new OptionsState(relay.deps).startAdd();
    setup.chooseProvider('custom');
    setup.email = 'me@home.example';
    await setup.submitAddress();
    setup.server.host = 'mail.home.example';
    setup.password = 'pw';
    expect(await setup.test()).toBe(false);
    expect(setup.canTrust).toBe(true);
    expect(await setup.trustCertificate()).toBe(false);
    expect(seenPin).toBeNull();
    setup.trustConfirmed = true;
    expect(await setup.trustCertificate()).toBe(true);
    expect(seenPin).toBe('AA:BB:CC');
    expect(await setup.save()).toBe(true);
    const add = relay.calls.find((c) => c.type === 'accounts.add')?.params as RequestParams<'accounts.add'>;
    expect(add.settings.pinnedFingerprint).toBe('AA:BB:CC');
  });

  it('requires the explicit opt-in for plain IMAP', async () => {
    const relay = fakeRelay({
      'accounts.discover': () => ({ candidates: [] }),
      'accounts.diagnose': () => diagnosis('ok'),
    });
    const setup = new OptionsState(relay.deps).startAdd();
    setup.chooseProvider('custom');
    setup.email = 'me@lan.example';
    await setup.submitAddress();
    setup.server.host = '192.168.1.2';
    setup.server.setSecurity('plain');
    expect(setup.server.port).toBe('143');
    setup.password = 'pw';
    expect(await setup.test()).toBe(false);
    expect(setup.errors.plain).toMatch(/Tick the box/);
    expect(relay.calls.map((c) => c.type)).not.toContain('accounts.diagnose');
    setup.server.plainConfirmed = true;
    expect(await setup.test()).toBe(true);
  });

  it('validates host and port inline', async () => {
    const relay = fakeRelay({ 'accounts.discover': () => ({ candidates: [] }) });
    const setup = new OptionsState(relay.deps).startAdd();
    setup.chooseProvider('custom');
    setup.email = 'me@x.example';
    await setup.submitAddress();
    setup.server.host = 'bad host!';
    setup.server.port = '70000';
    setup.password = 'pw';
    expect(await setup.test()).toBe(false);
    expect(setup.errors).toMatchObject({
      host: expect.stringMatching(/server name/),
      port: expect.stringMatching(/1 to 65535/),
    });
  });
});

describe('editing an account', () => {
  it('sends only what changed and clears a new password after saving', async () => {
    const relay = fakeRelay({
      'accounts.get': () => ({ account: details() }),
      'mailboxes.list': () => ({
        mailboxes: [
          {
            path: 'INBOX',
            name: 'INBOX',
            delimiter: '/',
            parent: null,
            role: 'inbox',
            unread: 1,
            total: 2,
            subscribed: true,
            selectable: true,
          },
          {
            path: 'Lists',
            name: 'Lists',
            delimiter: '/',
            parent: null,
            role: null,
            unread: 0,
            total: 0,
            subscribed: true,
            selectable: true,
          },
        ],
      }),
      'accounts.update': (p) => ({ account: details({ ...p.patch }), diagnosis: p.password ? diagnosis('ok') : null }),
    });
    const page = new OptionsState(relay.deps);
    const editor = await page.startEdit('acc-1');
    await Promise.resolve();
    expect(editor.name).toBe('Work');
    editor.name = 'Work mail';
    editor.toggleWatched('Lists', true);
    editor.password = 'new-secret';
    expect(await editor.save()).toBe(true);
    const update = relay.calls.find((c) => c.type === 'accounts.update')?.params;
    expect(update).toEqual({
      id: 'acc-1',
      patch: { name: 'Work mail', watchedMailboxes: ['INBOX', 'Lists'] },
      password: 'new-secret',
    });
    expect(editor.password).toBe('');
    expect(editor.saveState).toBe('saved');
  });

  it('refuses to watch no folder, and shows the auth fix when the new password is refused', async () => {
    const relay = fakeRelay({
      'accounts.get': () => ({ account: details({ host: 'imap.mail.me.com' }) }),
      'mailboxes.list': () => ({ mailboxes: [] }),
      'accounts.update': () => ({ error: 'AUTH_FAILED' }),
    });
    const editor = await new OptionsState(relay.deps).startEdit('acc-1');
    editor.toggleWatched('INBOX', false);
    expect(await editor.save()).toBe(false);
    expect(editor.errors.watched).toBe('Choose at least one folder.');
    editor.toggleWatched('INBOX', true);
    editor.password = 'wrong';
    expect(await editor.save()).toBe(false);
    expect(editor.saveError?.message).toMatch(/^iCloud needs an app-specific password/);
    expect(editor.password).toBe('');
  });

  it('removes only after the inline confirmation', async () => {
    const relay = fakeRelay({
      'accounts.get': () => ({ account: details() }),
      'mailboxes.list': () => ({ mailboxes: [] }),
      'accounts.remove': () => ({}),
    });
    const page = new OptionsState(relay.deps);
    const editor = await page.startEdit('acc-1');
    expect(await editor.remove()).toBe(false);
    expect(editor.confirmRemove).toBe(true);
    expect(relay.calls.map((c) => c.type)).not.toContain('accounts.remove');
    expect(await editor.remove()).toBe(true);
    expect(page.editor).toBeNull();
    expect(page.flash).toBe('Removed Work from Tidings. The mail on the server was not touched.');
  });
});

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
