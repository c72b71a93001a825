/**
 * A fake relay behind the options page's proxied call, and account fixtures, for the options
 * state unit tests. Not shipped: nothing under entrypoints/ imports this folder.
 */
import type {
  AccountDetails,
  Diagnosis,
  ErrorCode,
  RequestParams,
  RequestResult,
  RequestType,
  ServerEvent,
} from '../../shared/index.js';
import type { CallResult, OptionsDeps } from '../options/options-common.js';
import { testTranslator } from './translator.js';

export type Handlers = { [T in RequestType]?: (params: RequestParams<T>) => RequestResult<T> | { error: ErrorCode } };

/** A fake relay behind the proxy: records calls, answers from `handlers`. */
export function fakeRelay(handlers: Handlers) {
  const calls: { type: RequestType; params: unknown }[] = [];
  const listeners = new Set<(event: ServerEvent) => void>();
  const deps: OptionsDeps = {
    call: async <T extends RequestType>(type: T, params: RequestParams<T>): Promise<CallResult<RequestResult<T>>> => {
      calls.push({ type, params: structuredClone(params) });
      const handler = handlers[type] as ((p: RequestParams<T>) => RequestResult<T> | { error: ErrorCode }) | undefined;
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_TYPE', message: `no fake for ${type}` } };
      const r = handler(params);
      if (typeof r === 'object' && r !== null && 'error' in r && typeof r.error === 'string')
        return { ok: false, error: { code: r.error as ErrorCode, message: `relay says ${r.error}` } };
      return { ok: true, result: r as RequestResult<T> };
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    t: testTranslator('en'),
    timeZone: () => 'Europe/Madrid',
    now: () => Date.UTC(2026, 5, 1),
  };
  return { deps, calls, emit: (event: ServerEvent) => listeners.forEach((l) => l(event)) };
}

const cert = {
  subject: 'CN=localhost',
  issuer: 'CN=localhost',
  validFrom: Date.UTC(2026, 0, 1),
  validTo: Date.UTC(2027, 0, 1),
  fingerprint256: 'AA:BB:CC',
  trusted: false,
  selfSigned: true,
};

export function diagnosis(kind: 'ok' | 'auth' | 'selfSigned'): Diagnosis {
  const ok = { status: 'ok' as const, hint: null, ms: 1 };
  const steps: Diagnosis['steps'] = [
    { id: 'dns', detail: 'ok', ...ok },
    { id: 'tcp', detail: 'ok', ...ok },
  ];
  if (kind === 'selfSigned') {
    steps.push({ id: 'tls', status: 'fail', detail: 'self-signed', hint: 'pin it', ms: 1, code: 'TLS_FAILED' });
    steps.push({ id: 'capabilities', status: 'skipped', detail: '', hint: null, ms: null });
    steps.push({ id: 'auth', status: 'skipped', detail: '', hint: null, ms: null });
  } else {
    steps.push({ id: 'tls', detail: 'ok', ...ok });
    steps.push({ id: 'capabilities', detail: 'ok', ...ok });
    steps.push(
      kind === 'auth'
        ? { id: 'auth', status: 'fail', detail: 'rejected', hint: 'app password', ms: 1, code: 'AUTH_FAILED' }
        : { id: 'auth', detail: 'ok', ...ok },
    );
  }
  return {
    ok: kind === 'ok',
    steps,
    addresses: ['127.0.0.1'],
    tlsVersion: 'TLSv1.3',
    certificate: kind === 'selfSigned' ? cert : { ...cert, trusted: true, selfSigned: false },
    capabilities: kind === 'ok' ? ['IDLE'] : [],
    rttMs: kind === 'ok' ? 1 : null,
    error: kind === 'selfSigned' ? { code: 'TLS_FAILED', message: 'Untrusted certificate: AA:BB:CC' } : null,
  };
}

export function details(overrides: Partial<AccountDetails> = {}): AccountDetails {
  return {
    id: 'acc-1',
    name: 'Work',
    color: '#2563eb',
    host: 'imap.example.org',
    port: 993,
    security: 'tls',
    username: 'ada@example.org',
    pinnedFingerprint: null,
    watchedMailboxes: ['INBOX'],
    archiveMailbox: null,
    ...overrides,
  };
}
