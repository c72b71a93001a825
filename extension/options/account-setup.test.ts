import { describe, expect, it } from 'vitest';
import type { RequestParams } from '../../shared/index.js';
import { OptionsState } from './options-state.svelte.js';
import { details, diagnosis, fakeRelay } from '../testing/options-fakes.js';

describe('adding an account', () => {
  it('discovers, diagnoses, saves, and forgets the password', async () => {
    const relay = fakeRelay({
      'accounts.discover': () => ({
        candidates: [
          { host: 'imap.example.org', port: 993, security: 'tls', source: 'autoconfig', username: 'ada@example.org' },
        ],
        oauth: null,
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

  // Regression (issue 13): the account kept the name of the address typed first, even after the
  // user corrected the username on the server step.
  it('names an unnamed account after the final address', async () => {
    const relay = fakeRelay({
      'accounts.discover': () => ({ candidates: [], oauth: null }),
      'accounts.diagnose': () => diagnosis('ok'),
      'accounts.add': (p) => ({ account: details({ name: p.name }), diagnosis: diagnosis('ok') }),
    });
    const page = new OptionsState(relay.deps);
    const setup = page.startAdd();
    setup.chooseProvider('custom');
    setup.email = 'ada@exmaple.org';
    expect(await setup.submitAddress()).toBe(true);
    expect(setup.name).toBe('');
    setup.server.host = 'imap.example.org';
    setup.server.username = 'ada@example.org';
    setup.password = 'secret';
    expect(await setup.test()).toBe(true);
    expect(await setup.save()).toBe(true);
    expect(relay.calls.find((c) => c.type === 'accounts.add')?.params).toMatchObject({ name: 'ada@example.org' });
  });

  it('keeps a name the user typed, and the address when the username is not one', async () => {
    const relay = fakeRelay({
      'accounts.discover': () => ({ candidates: [], oauth: null }),
      'accounts.diagnose': () => diagnosis('ok'),
      'accounts.add': (p) => ({ account: details({ name: p.name }), diagnosis: diagnosis('ok') }),
    });
    const setup = new OptionsState(relay.deps).startAdd();
    setup.chooseProvider('custom');
    setup.email = 'ada@example.org';
    expect(await setup.submitAddress()).toBe(true);
    setup.server.username = 'ada';
    expect(setup.defaultName).toBe('ada@example.org');
    setup.name = 'Work';
    setup.server.host = 'imap.example.org';
    setup.password = 'secret';
    expect(await setup.test()).toBe(true);
    expect(await setup.save()).toBe(true);
    expect(relay.calls.find((c) => c.type === 'accounts.add')?.params).toMatchObject({ name: 'Work' });
  });

  it('shows the app-password fix for a refused password and saves nothing', async () => {
    const relay = fakeRelay({
      'accounts.discover': () => ({
        candidates: [
          { host: 'imap.gmail.com', port: 993, security: 'tls', source: 'preset', username: 'ada@gmail.com' },
        ],
        oauth: null,
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
    const relay = fakeRelay({ 'accounts.discover': () => ({ candidates: [], oauth: null }) });
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
      'accounts.discover': () => ({ candidates: [], oauth: null }),
      'accounts.diagnose': (p) => {
        if (!('settings' in p)) throw new Error('the add-account form diagnoses settings, not a saved account');
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
      'accounts.discover': () => ({ candidates: [], oauth: null }),
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
    const relay = fakeRelay({ 'accounts.discover': () => ({ candidates: [], oauth: null }) });
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
