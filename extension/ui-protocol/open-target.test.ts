import { describe, expect, it } from 'vitest';
import { openTargetPath, parseOpenTarget } from './open-target.js';

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
