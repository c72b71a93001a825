import { describe, expect, it } from 'vitest';
import { TidingsError } from '../../../shared/index.js';
import { parseEmail } from './email-address.js';
import { providerOfHost } from '../../../shared/index.js';
import { presetFor } from './presets.js';

describe('presets', () => {
  it.each([
    ['a@gmail.com', 'imap.gmail.com'],
    ['a@GoogleMail.com', 'imap.gmail.com'],
    ['a@outlook.com', 'outlook.office365.com'],
    ['a@hotmail.co.uk', 'outlook.office365.com'],
    ['a@live.com', 'outlook.office365.com'],
    ['a@fastmail.fm', 'imap.fastmail.com'],
    ['a@fastmail.com', 'imap.fastmail.com'],
    ['a@icloud.com', 'imap.mail.me.com'],
    ['a@me.com', 'imap.mail.me.com'],
    ['a@mac.com', 'imap.mail.me.com'],
    ['a@yahoo.com', 'imap.mail.yahoo.com'],
    ['a@yahoo.co.jp', 'imap.mail.yahoo.com'],
  ])('%s → %s:993 tls', (address, host) => {
    expect(presetFor(parseEmail(address))).toEqual({
      host,
      port: 993,
      security: 'tls',
      source: 'preset',
      username: address,
    });
  });

  it('has no preset for other domains', () => {
    expect(presetFor(parseEmail('a@example.org'))).toBeNull();
    expect(presetFor(parseEmail('a@notgmail.com'))).toBeNull();
  });

  it('knows which hosts need app passwords', () => {
    expect(providerOfHost('imap.gmail.com')).toBe('gmail');
    expect(providerOfHost('outlook.office365.com')).toBe('outlook');
    expect(providerOfHost('imap.mail.me.com')).toBe('icloud');
    expect(providerOfHost('imap.mail.yahoo.com')).toBe('yahoo');
    expect(providerOfHost('mail.example.org')).toBeNull();
    expect(providerOfHost('gmail.com.evil.example')).toBeNull();
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['nobody', '@example.org', 'a@', 'a@localhost', 'a@exa mple.org', 'a@-x.org'])
      expect(() => parseEmail(bad), bad).toThrow(TidingsError);
    expect(parseEmail('a@Bücher.example').domain).toBe('xn--bcher-kva.example');
  });
});

describe('authFailedHint', () => {
  it('asks for an app password on the big providers, and for a check elsewhere', async () => {
    const { authFailedHint } = await import('./hints.js');
    for (const host of ['imap.mail.me.com', 'imap.mail.yahoo.com'])
      expect(authFailedHint(host), host).toMatch(/^This server needs an app password: /);
    // Issue 9: Google prefers OAuth2 sign-in (app password still possible); Microsoft takes only OAuth2.
    expect(authFailedHint('imap.gmail.com')).toMatch(/Sign in with Google.*myaccount\.google\.com\/apppasswords/);
    expect(authFailedHint('outlook.office365.com')).toMatch(/use Sign in with Microsoft/);
    expect(authFailedHint('mail.example.org')).toMatch(/^Check the username and password/);
  });
});
