import { createSecureContext, rootCertificates, type SecureContext, type SecureContextOptions } from 'node:tls';

/**
 * What decides a client TLS context's trust: the minimum version, the account's extra CA bundle
 * (added to the system roots) and whether a pinned leaf may verify as a trust anchor.
 */
export interface TrustSettings {
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  caPem: string | null;
  allowPartialTrustChain: boolean;
}

/**
 * One client SecureContext per distinct trust setting, shared by every connection that uses it.
 *
 * Why: `tls.connect({ ca })` builds a new OpenSSL context per connection, and with `ca` set Node
 * parses every certificate it is given into that context's own store — the ~120 system roots plus
 * the account's CA cost ~860 KiB of native memory per context (outside V8's heap and `external`).
 * With one context per IDLE watcher that was most of an idle account's cost (idle_accounts:
 * ~1 MiB per account). A context is safe to share between connections (https.Agent does); the
 * per-connection checks (`checkServerIdentity`, `rejectUnauthorized`, SNI) stay on the connection.
 *
 * Entries are held weakly: a context lives while a connection's options hold it, so the cache
 * never grows with accounts that were removed or changed their CA.
 */
const contexts = new Map<string, WeakRef<SecureContext>>();
const cleanup = new FinalizationRegistry<string>((key) => {
  if (contexts.get(key)?.deref() === undefined) contexts.delete(key);
});

/** The shared context for `trust` (created on first use). Throws what `tls.createSecureContext` throws. */
export function sharedSecureContext(trust: TrustSettings): SecureContext {
  const key = JSON.stringify([trust.minVersion, trust.allowPartialTrustChain, trust.caPem]);
  const cached = contexts.get(key)?.deref();
  if (cached) return cached;
  const options: SecureContextOptions = { minVersion: trust.minVersion };
  if (trust.caPem) options.ca = [...rootCertificates, trust.caPem];
  if (trust.allowPartialTrustChain) options.allowPartialTrustChain = true;
  const context = createSecureContext(options);
  contexts.set(key, new WeakRef(context));
  cleanup.register(context, key);
  return context;
}

/** Live shared contexts (for tests). */
export function sharedSecureContextCount(): number {
  let n = 0;
  for (const ref of contexts.values()) if (ref.deref()) n++;
  return n;
}
