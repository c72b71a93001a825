import { describe, expect, it } from 'vitest';
import { defaultStoredState, parseStoredState } from './stored-state.js';
import { account } from '../testing/fakes.js';

describe('parseStoredState', () => {
  it('returns defaults for nothing stored', () => {
    expect(parseStoredState(undefined)).toEqual({ state: defaultStoredState, problems: [] });
  });

  it('round-trips a valid state', () => {
    const state = {
      relayUrl: 'wss://relay.example.org',
      pairing: { token: 't', deviceId: 'd' },
      revoked: false,
      lastSeq: 3,
      accounts: [account({ id: 'a', unread: 2 })],
      accountsAt: 9,
    };
    expect(parseStoredState(structuredClone(state))).toEqual({ state, problems: [] });
  });

  it('resets only the invalid fields and names them, never their values', () => {
    const { state, problems } = parseStoredState({
      relayUrl: 'wss://relay.example.org',
      pairing: { token: 'keep-me', deviceId: 'd' },
      lastSeq: -1,
      accounts: 'x',
    });
    expect(state.pairing).toEqual({ token: 'keep-me', deviceId: 'd' });
    expect(state.lastSeq).toBeNull();
    expect(state.accounts).toEqual([]);
    expect(problems).toEqual(['lastSeq', 'accounts']);
  });

  it('drops the token with an invalid relay URL rather than send it to the default relay', () => {
    const { state, problems } = parseStoredState({
      relayUrl: 'ws://192.168.0.2:8787',
      pairing: { token: 't', deviceId: 'd' },
    });
    expect(state.relayUrl).toBe(defaultStoredState.relayUrl);
    expect(state.pairing).toBeNull();
    expect(problems).toEqual(['relayUrl']);
  });

  it('survives a non-object', () => {
    expect(parseStoredState(42)).toEqual({ state: defaultStoredState, problems: ['(not an object)'] });
  });
});
