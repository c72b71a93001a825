import { checkServerIdentity, rootCertificates, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import type { ImapFlowOptions } from 'imapflow';
import { Limits } from '../../../shared/index.js';
import { guardedLookup, literalRefusal, ReachRefused, type ReachPolicy } from '../net/reach-policy.js';
import type { Account } from '../store/types.js';
import type { ImapAuth } from './credentials.js';
import { sharedSecureContext, type TrustSettings } from './secure-context.js';

/** The parts of an account that decide how to reach and trust its server. */
export type ServerSettings = Pick<Account, 'host' | 'port' | 'security' | 'username' | 'pinnedFingerprint' | 'caPem'>;

/**
 * TLS options for one account. Certificates are always verified (rejectUnauthorized stays true):
 * a per-account CA bundle extends the system roots, and a pinned SHA-256 fingerprint replaces the
 * host-name check for a self-signed server whose certificate the user accepted (the certificate
 * itself must then be in `caPem`, so the chain still verifies: a pin never disables verification).
 */
export function tlsOptions(settings: ServerSettings): ConnectionOptions {
  const pinned = settings.pinnedFingerprint?.toUpperCase();
  const trust: TrustSettings = {
    minVersion: 'TLSv1.2',
    caPem: settings.caPem ?? null,
    // The pinned certificate's chain (as the server presented it) is in caPem. A leaf from a
    // private CA that the server does not send must verify as a trust anchor itself; the
    // fingerprint check below still accepts exactly the pinned certificate and nothing else.
    allowPartialTrustChain: Boolean(pinned),
  };
  const options: ConnectionOptions = { rejectUnauthorized: true };
  try {
    // Built once and shared by every connection with the same trust (secure-context.ts: a
    // context per connection cost ~860 KiB of native memory with a CA bundle).
    options.secureContext = sharedSecureContext(trust);
  } catch {
    // A bundle that does not parse: tls.connect builds (and fails on) its own context, as before.
    options.minVersion = trust.minVersion;
    if (trust.caPem) options.ca = [...rootCertificates, trust.caPem];
    if (trust.allowPartialTrustChain) options.allowPartialTrustChain = true;
  }
  if (pinned) {
    options.checkServerIdentity = (host: string, cert: PeerCertificate) => {
      if (cert.fingerprint256?.toUpperCase() === pinned) return undefined;
      return new Error(`certificate fingerprint ${cert.fingerprint256} does not match the pinned ${pinned}`);
    };
  } else {
    options.checkServerIdentity = checkServerIdentity;
  }
  return options;
}

/**
 * imapflow options for one connection. `secure` is implicit TLS; STARTTLS is *required*
 * (`doSTARTTLS: true`) so a stripped capability fails instead of falling back to plaintext;
 * plaintext happens only with the account's explicit `plain` opt-in.
 */
export function imapFlowOptions(
  settings: ServerSettings,
  secret: ImapAuth,
  extra: Partial<ImapFlowOptions> = {},
): ImapFlowOptions {
  const base: ImapFlowOptions = {
    host: settings.host,
    port: settings.port,
    // An access token makes imapflow use OAUTHBEARER (RFC 7628) when offered, else XOAUTH2.
    auth:
      secret.kind === 'password'
        ? { user: settings.username, pass: secret.password }
        : { user: settings.username, accessToken: secret.accessToken },
    logger: false,
    tls: tlsOptions(settings),
    maxLiteralSize: Limits.imapMaxLiteralBytes,
    connectionTimeout: Limits.imapConnectTimeoutMs,
    greetingTimeout: Limits.imapConnectTimeoutMs,
    // Half the silence limit: imapflow probes with NOOP after one quiet period and closes after a
    // second, so a blackholed link is detected within Limits.watcherSilenceMs.
    socketTimeout: Math.floor(Limits.watcherSilenceMs / 2),
    clientInfo: { name: 'Tidings relay' },
  };
  switch (settings.security) {
    case 'tls':
      return { ...base, secure: true, ...extra };
    case 'starttls':
      return { ...base, secure: false, doSTARTTLS: true, ...extra };
    case 'plain':
      return { ...base, secure: false, doSTARTTLS: false, ...extra };
  }
}

/**
 * Applies the network reach policy (relay/src/net/reach-policy.ts) to an imapflow connection: a
 * host that is a forbidden IP literal throws ReachRefused here (Node skips `lookup` for literals),
 * and a name is checked after DNS resolution by a guarded `lookup` in the socket options, which
 * imapflow passes to net/tls.connect for every security mode (imapflow 2.10 `connect()`: its
 * `tls` options are merged into the connect options). So no connection ever opens to a refused
 * address, whether the account was just added or has been in the store for years.
 */
export function withReachPolicy(options: ImapFlowOptions, reach: ReachPolicy): ImapFlowOptions {
  const refusal = literalRefusal(options.host ?? '', reach);
  if (refusal) throw new ReachRefused(refusal);
  return { ...options, tls: { ...options.tls, lookup: guardedLookup(reach) } };
}
