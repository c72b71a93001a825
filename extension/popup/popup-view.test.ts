import { describe, expect, it } from 'vitest';
import { pairedSnapshot } from '../testing/fakes.js';
import { messageId, rows } from '../testing/mail-fakes.js';
import { firstScreenReady, initialView, loadingList, withStatus, type PopupView } from './popup-view.js';

const paired = pairedSnapshot();

const loading: PopupView = { ...initialView(), list: loadingList({ kind: 'unified' }, null) };

describe('firstScreenReady', () => {
  it('waits for the background snapshot whatever the list holds', () => {
    expect(firstScreenReady(null, loading)).toBe(false);
    expect(firstScreenReady(null, { ...loading, list: { ...loading.list, rows: rows(1, 3) } })).toBe(false);
  });

  it('is ready when not paired: the page shows how to pair, not a list', () => {
    expect(firstScreenReady({ ...paired, pairing: { status: 'unpaired', revoked: false } }, loading)).toBe(true);
  });

  it('waits for rows, cached or from the relay, or for the list to settle', () => {
    expect(firstScreenReady(paired, loading)).toBe(false);
    expect(firstScreenReady(paired, { ...loading, list: { ...loading.list, rows: rows(1, 3), fromCache: true } })).toBe(
      true,
    );
    expect(
      firstScreenReady(paired, { ...loading, list: withStatus(loading.list, { status: 'ready', loadingMore: false }) }),
    ).toBe(true);
    expect(
      firstScreenReady(paired, { ...loading, list: withStatus(loading.list, { status: 'error', error: 'x' }) }),
    ).toBe(true);
  });

  it('does not wait for the relay when nothing is cached: the skeleton is the first screen', () => {
    expect(
      firstScreenReady(paired, {
        ...loading,
        list: withStatus(loading.list, { status: 'loading', nothingCached: true }),
      }),
    ).toBe(true);
  });

  it('on the message screen (a notification click) waits for the message, not the list', () => {
    const message = { id: messageId(7), row: null, remoteOnce: false };
    const opening: PopupView = { ...loading, screen: { kind: 'message', message: { ...message, status: 'loading' } } };
    expect(firstScreenReady(paired, opening)).toBe(false);
    expect(
      firstScreenReady(paired, {
        ...opening,
        screen: { kind: 'message', message: { ...message, status: 'error', error: 'gone' } },
      }),
    ).toBe(true);
  });
});
