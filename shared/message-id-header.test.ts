import { describe, expect, it } from 'vitest';
import { cleanMessageId, messageIdHeaderSchema } from './message-id-header.js';

describe('cleanMessageId', () => {
  it('keeps a real id, with or without its angle brackets, trimmed', () => {
    expect(cleanMessageId(' <CAF+x=y/z_1@mail.gmail.com> ')).toBe('<CAF+x=y/z_1@mail.gmail.com>');
    expect(cleanMessageId('a.b@example.org')).toBe('<a.b@example.org>');
    expect(messageIdHeaderSchema.parse(cleanMessageId('a.b@example.org'))).toBe('<a.b@example.org>');
  });

  it('refuses ids a sender shaped to break a URL or a header: spaces, controls, quotes, brackets, non-ASCII', () => {
    for (const bad of [
      '<a b@x>',
      '<a\r\nb@x>',
      '<a\u0000@x>',
      '<a"@x>',
      '<a<b@x>',
      '<a>b@x>',
      '<ü@x>',
      '<>',
      '',
      '<a@x> <b@y>',
    ]) {
      expect(cleanMessageId(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(cleanMessageId(undefined)).toBeNull();
    expect(cleanMessageId(42)).toBeNull();
  });

  it('refuses an id longer than a header line may be', () => {
    expect(cleanMessageId(`<${'a'.repeat(1_000)}@x>`)).toBeNull();
    expect(cleanMessageId(`<${'a'.repeat(900)}@x>`)).not.toBeNull();
  });
});
