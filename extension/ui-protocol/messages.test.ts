import { describe, expect, it } from 'vitest';
import { parseBackgroundMessage, parseUiRequest } from './messages.js';
import type { Snapshot } from './snapshot.js';
import { account } from '../testing/fakes.js';

const snapshot: Snapshot = {
  relayUrl: 'ws://127.0.0.1:8787',
  pairing: { status: 'paired', deviceId: 'dev-1' },
  connection: { status: 'backoff', attempt: 2, retryAt: 10, error: 'closed' },
  accounts: [account({ id: 'a', unread: 1 })],
  accountsAt: 3,
};

describe('UI → background requests', () => {
  it('accepts the four request types', () => {
    expect(parseUiRequest({ id: '1', type: 'getState' })).toEqual({ id: '1', type: 'getState' });
    expect(parseUiRequest({ id: '2', type: 'pair', relayUrl: 'ws://x', code: 'ABCD-2345' })).toMatchObject({
      type: 'pair',
    });
    expect(parseUiRequest({ id: '3', type: 'unpair' })).toMatchObject({ type: 'unpair' });
    expect(parseUiRequest({ id: '4', type: 'reconnect' })).toMatchObject({ type: 'reconnect' });
  });

  it('rejects unknown types, missing ids and missing fields', () => {
    for (const bad of [
      null,
      'getState',
      { type: 'getState' },
      { id: '', type: 'getState' },
      { id: '1', type: 'deleteEverything' },
      { id: '1', type: 'pair', relayUrl: 'ws://x' },
      { id: '1', type: 'pair', relayUrl: 'ws://x', code: 'x'.repeat(65) },
    ]) {
      expect(parseUiRequest(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});

describe('background → UI messages', () => {
  it('accepts replies (ok and error) and state pushes', () => {
    expect(parseBackgroundMessage({ type: 'state', snapshot })).toEqual({ type: 'state', snapshot });
    expect(parseBackgroundMessage({ type: 'reply', id: '1', ok: true, snapshot })).toMatchObject({ ok: true });
    expect(
      parseBackgroundMessage({ type: 'reply', id: '1', ok: false, error: { message: 'no', field: 'code' }, snapshot }),
    ).toMatchObject({ ok: false, error: { field: 'code' } });
  });

  it('rejects a snapshot with an invalid connection state or account', () => {
    expect(
      parseBackgroundMessage({ type: 'state', snapshot: { ...snapshot, connection: { status: 'open' } } }),
    ).toBeNull();
    expect(parseBackgroundMessage({ type: 'state', snapshot: { ...snapshot, accounts: [{ id: 'a' }] } })).toBeNull();
    expect(parseBackgroundMessage({ type: 'reply', id: '1', ok: false, snapshot })).toBeNull();
    expect(
      parseBackgroundMessage({
        type: 'reply',
        id: '1',
        ok: false,
        error: { message: 'x', field: 'password' },
        snapshot,
      }),
    ).toBeNull();
  });

  it('never carries the token', () => {
    const parsed = parseBackgroundMessage({
      type: 'state',
      snapshot: { ...snapshot, pairing: { status: 'paired', deviceId: 'd', token: 'secret' } },
    });
    expect(JSON.stringify(parsed)).not.toContain('secret');
  });
});
