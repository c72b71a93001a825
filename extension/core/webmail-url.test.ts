import { describe, expect, it } from 'vitest';
import { webmailUrl } from './webmail-url.js';

describe('webmailUrl', () => {
  it('opens a Gmail message by its Message-ID, in the account of that address', () => {
    expect(
      webmailUrl({ host: 'imap.gmail.com', username: 'ana@gmail.com', messageId: '<abc.123@mail.example.org>' }),
    ).toBe('https://mail.google.com/mail/u/ana@gmail.com/#search/rfc822msgid:abc.123@mail.example.org');
  });

  it('encodes every character of the id that means something in a URL or in a Gmail search', () => {
    const url = webmailUrl({
      host: 'imap.gmail.com',
      username: 'ana+news@gmail.com',
      messageId: '<CA+x=y/z?q#f&b%20%@mail.gmail.com>',
    });
    expect(url).toBe(
      'https://mail.google.com/mail/u/ana%2Bnews@gmail.com/#search/rfc822msgid:CA%2Bx%3Dy%2Fz%3Fq%23f%26b%2520%25@mail.gmail.com',
    );
    const parsed = new URL(url!);
    expect(parsed.origin).toBe('https://mail.google.com');
    expect(parsed.pathname).toBe('/mail/u/ana%2Bnews@gmail.com/');
    expect(parsed.search).toBe('');
    expect(decodeURIComponent(parsed.hash)).toBe('#search/rfc822msgid:CA+x=y/z?q#f&b%20%@mail.gmail.com');
  });

  it("opens Gmail's inbox when the message has no usable Message-ID", () => {
    for (const messageId of [null, undefined, '<a b@x>', '<a"@x>', 'javascript:alert(1)//<x>']) {
      expect(webmailUrl({ host: 'imap.gmail.com', username: 'ana@gmail.com', messageId })).toBe(
        'https://mail.google.com/mail/u/ana@gmail.com/#inbox',
      );
    }
  });

  it('uses the first signed-in Google account when the login is not an address', () => {
    expect(webmailUrl({ host: 'imap.googlemail.com', username: 'ana', messageId: '<m@x>' })).toBe(
      'https://mail.google.com/mail/u/0/#search/rfc822msgid:m@x',
    );
  });

  it('opens the inbox of providers that have no Message-ID link', () => {
    const at = (host: string) => webmailUrl({ host, username: 'ana@example.org', messageId: '<m@x>' });
    expect(at('outlook.office365.com')).toBe('https://outlook.office.com/mail/inbox');
    expect(at('imap-mail.outlook.com')).toBe('https://outlook.office.com/mail/inbox');
    expect(at('imap.fastmail.com')).toBe('https://app.fastmail.com/mail/Inbox/');
    expect(at('imap.mail.me.com')).toBe('https://www.icloud.com/mail/');
    expect(at('imap.mail.yahoo.com')).toBe('https://mail.yahoo.com/');
  });

  it('has none for a server it does not know (the button is hidden)', () => {
    expect(webmailUrl({ host: 'mail.example.org', username: 'ana@example.org', messageId: '<m@x>' })).toBeNull();
    expect(webmailUrl({ host: 'imap.gmail.com.evil.example', username: 'a@b', messageId: '<m@x>' })).toBeNull();
    expect(webmailUrl({ host: '127.0.0.1', username: 'ana', messageId: null })).toBeNull();
  });
});
