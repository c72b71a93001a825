// One TLS context per distinct trust setting, shared by every IMAP connection that uses it
// (relay/src/imap/secure-context.ts: a context per connection cost ~860 KiB of native memory per
// idle account). Sharing must not change what is trusted: against the same real Dovecot, an
// account with another CA, a wrong pin or a bundle that does not parse still fails with
// TLS_FAILED / a clear error, before and after a trusted account connected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionOptions } from 'node:tls';
import { imapFlowOptions, type ServerSettings } from '../../relay/src/imap/client-options.js';
import { testImapConnection } from '../../relay/src/imap/connection-test.js';
import { testCertificates, type TestCertificates } from '../harness/certs.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';

let dovecot: Dovecot;
let user: ImapUser;
let certs: TestCertificates;

beforeAll(async () => {
  dovecot = await startDovecot();
  user = await dovecot.addUser();
  certs = await testCertificates();
});

afterAll(async () => {
  await dovecot?.stop();
});

function settings(trust: Pick<ServerSettings, 'caPem' | 'pinnedFingerprint'>): ServerSettings {
  return { host: dovecot.host, port: dovecot.imapsPort, security: 'tls', username: user.username, ...trust };
}

function tlsOf(s: ServerSettings): ConnectionOptions {
  const tls = imapFlowOptions(s, { kind: 'password', password: user.password }).tls;
  if (!tls) throw new Error('no TLS options');
  return tls;
}

async function connect(s: ServerSettings) {
  return testImapConnection({
    account: { ...s, watchedMailboxes: ['INBOX'] },
    auth: { kind: 'password', password: user.password },
  });
}

describe('shared TLS contexts', () => {
  it('gives accounts with the same CA one context, and each connects', async () => {
    const a = tlsOf(settings({ caPem: dovecot.caPem, pinnedFingerprint: null }));
    const b = tlsOf(settings({ caPem: dovecot.caPem, pinnedFingerprint: null }));
    expect(a.secureContext).toBeDefined();
    expect(b.secureContext).toBe(a.secureContext);
    // No per-connection CA list left for tls.connect to parse again.
    expect(a.ca).toBeUndefined();
    expect((await connect(settings({ caPem: dovecot.caPem, pinnedFingerprint: null }))).ok).toBe(true);
    expect((await connect(settings({ caPem: dovecot.caPem, pinnedFingerprint: null }))).ok).toBe(true);
  });

  it('keeps another CA, the system roots and a pin apart from it', () => {
    const trusted = tlsOf(settings({ caPem: dovecot.caPem, pinnedFingerprint: null })).secureContext;
    const other = tlsOf(settings({ caPem: certs.selfSigned.certPem, pinnedFingerprint: null })).secureContext;
    const system = tlsOf(settings({ caPem: null, pinnedFingerprint: null })).secureContext;
    const pinned = tlsOf(settings({ caPem: dovecot.caPem, pinnedFingerprint: dovecot.fingerprint256 })).secureContext;
    expect(new Set([trusted, other, system, pinned]).size).toBe(4);
  });

  it('still refuses a server the account does not trust after a trusted account connected', async () => {
    expect((await connect(settings({ caPem: dovecot.caPem, pinnedFingerprint: null }))).ok).toBe(true);
    const otherCa = await connect(settings({ caPem: certs.selfSigned.certPem, pinnedFingerprint: null }));
    expect(otherCa).toMatchObject({ ok: false, code: 'TLS_FAILED' });
    const systemRoots = await connect(settings({ caPem: null, pinnedFingerprint: null }));
    expect(systemRoots).toMatchObject({ ok: false, code: 'TLS_FAILED' });
  });

  it('accepts the pinned leaf as its own anchor and refuses a wrong pin', async () => {
    const leaf = { caPem: dovecot.certPem };
    expect((await connect(settings({ ...leaf, pinnedFingerprint: dovecot.fingerprint256 }))).ok).toBe(true);
    const wrong = await connect(settings({ ...leaf, pinnedFingerprint: certs.selfSigned.fingerprint256 }));
    expect(wrong).toMatchObject({ ok: false, code: 'TLS_FAILED' });
  });

  it('trusts only the system roots when the CA bundle does not parse (TLS_FAILED, as before)', async () => {
    const broken = settings({
      caPem: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n',
      pinnedFingerprint: null,
    });
    expect(await connect(broken)).toMatchObject({ ok: false, code: 'TLS_FAILED' });
  });
});
