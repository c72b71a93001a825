import { describe, expect, it } from 'vitest';
import { openTargetPath, optionsTargetPath, parseOpenTarget, parseOptionsTarget } from './open-target.js';

describe('open target', () => {
  it('round-trips a message and an inbox through the popup URL', () => {
    const message = { accountId: 'a1', mailbox: 'Lists/Ünïcode & more', uidValidity: '42', uid: 7 };
    const path = openTargetPath({ accountId: 'a1', message });
    expect(path).toMatch(/^popup\.html\?open=/);
    expect(parseOpenTarget(path.slice(path.indexOf('?')))).toEqual({ accountId: 'a1', message });
    expect(parseOpenTarget('?account=a1')).toEqual({ accountId: 'a1', message: null });
  });

  it('ignores garbage', () => {
    expect(parseOpenTarget('')).toBeNull();
    expect(parseOpenTarget('?open=%7Bnope')).toBeNull();
    expect(parseOpenTarget(`?open=${encodeURIComponent(JSON.stringify({ accountId: 'a', uid: -1 }))}`)).toBeNull();
  });
});

describe('options target', () => {
  it('round-trips an account and its Sign in again through the options URL', () => {
    const path = optionsTargetPath({ accountId: 'a 1&x', signInAgain: true });
    expect(path).toMatch(/^options\.html\?.*#accounts$/);
    const search = path.slice(path.indexOf('?'), path.indexOf('#'));
    expect(parseOptionsTarget(search)).toEqual({ accountId: 'a 1&x', signInAgain: true });
    expect(parseOptionsTarget('?account=a1')).toEqual({ accountId: 'a1', signInAgain: false });
  });

  it('ignores garbage', () => {
    expect(parseOptionsTarget('')).toBeNull();
    expect(parseOptionsTarget(`?account=${'x'.repeat(65)}`)).toBeNull();
  });
});
