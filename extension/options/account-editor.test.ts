import { describe, expect, it } from 'vitest';
import { OptionsState } from './options-state.svelte.js';
import { details, diagnosis, fakeRelay } from '../testing/options-fakes.js';

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
