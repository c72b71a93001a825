/**
 * Low-level probes for the diagnosis: TCP connect, the IMAP greeting and STARTTLS, and a TLS
 * handshake that only READS the server's certificate (rejectUnauthorized: false, no login). Trust
 * is decided by the caller from what is returned (chain verification result, host-name check,
 * fingerprint); no password ever travels over a probe connection.
 */
import { X509Certificate } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { isIP } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  rootCertificates,
  type DetailedPeerCertificate,
  type TLSSocket,
} from 'node:tls';
import { TidingsError } from '../../../shared/index.js';

/** Why a probe failed, with the Node error code when there is one. */
export class ProbeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProbeError';
    this.code = code;
  }
}

function errCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/** Runs `start(done)` with a timeout and an abort signal; `cleanup` runs on timeout/abort. */
function bounded<T>(
  options: { timeoutMs: number; signal: AbortSignal | undefined; what: string; cleanup: () => void },
  start: (resolve: (v: T) => void, reject: (e: unknown) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() => {
          options.cleanup();
          reject(new ProbeError('ETIMEDOUT', `${options.what} timed out after ${options.timeoutMs} ms`));
        }),
      options.timeoutMs,
    );
    const onAbort = () =>
      finish(() => {
        options.cleanup();
        reject(new TidingsError('TIMEOUT', 'cancelled'));
      });
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    start(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}

/** Opens a TCP connection and reports how long the handshake took. */
export function openTcp(options: {
  host: string;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<{ socket: Socket; ms: number }> {
  const started = performance.now();
  const socket = netConnect({ host: options.host, port: options.port });
  // Every socket gets an error listener; failures before 'connect' are handled below.
  socket.on('error', () => undefined);
  return bounded<{ socket: Socket; ms: number }>(
    { timeoutMs: options.timeoutMs, signal: options.signal, what: 'TCP connect', cleanup: () => socket.destroy() },
    (resolve, reject) => {
      socket.once('connect', () => resolve({ socket, ms: round(performance.now() - started) }));
      socket.once('error', (err) => {
        socket.destroy();
        reject(new ProbeError(errCode(err) || 'ECONNREFUSED', err.message, { cause: err }));
      });
    },
  );
}

/** Reads one CRLF-terminated line from a plain socket (the IMAP greeting or a tagged reply). */
function readLine(socket: Socket, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<string> {
  let buffer = '';
  let onData: (d: Buffer) => void = () => undefined;
  let onClose: () => void = () => undefined;
  const detach = () => {
    socket.off('data', onData);
    socket.off('close', onClose);
  };
  return bounded<string>(
    {
      timeoutMs,
      signal,
      what,
      cleanup: () => {
        detach();
        socket.destroy();
      },
    },
    (resolve, reject) => {
      onData = (d: Buffer) => {
        buffer += d.toString('latin1');
        const nl = buffer.indexOf('\r\n');
        if (nl >= 0) {
          detach();
          socket.pause();
          resolve(buffer.slice(0, nl));
        } else if (buffer.length > 8_192) {
          detach();
          reject(new ProbeError('EPROTO', 'the server sent an over-long line; is this an IMAP server?'));
        }
      };
      onClose = () => {
        detach();
        reject(new ProbeError('ECONNRESET', `the server closed the connection (${what})`));
      };
      socket.on('data', onData);
      socket.once('close', onClose);
      socket.resume();
    },
  );
}

/** Waits for the IMAP greeting (RFC 9051 §7.1.1: `* OK`, `* PREAUTH` or `* BYE`). */
export async function readGreeting(socket: Socket, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const line = await readLine(socket, timeoutMs, signal, 'waiting for the IMAP greeting');
  if (!/^\* (OK|PREAUTH)\b/i.test(line))
    throw new ProbeError('EPROTO', `unexpected greeting: ${line.slice(0, 200) || '(empty)'}`);
  return line;
}

/**
 * Sends STARTTLS (RFC 9051 §6.2.1) and waits for the tagged OK. Untagged lines before it are
 * skipped; a NO/BAD means the server does not offer STARTTLS here.
 */
export async function requestStartTls(socket: Socket, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  socket.write('T1 STARTTLS\r\n');
  for (let i = 0; i < 20; i++) {
    const line = await readLine(socket, timeoutMs, signal, 'waiting for the STARTTLS reply');
    if (line.startsWith('* ')) continue;
    if (/^T1 OK\b/i.test(line)) return;
    throw new ProbeError('NO_STARTTLS', `the server refused STARTTLS: ${line.slice(0, 200)}`);
  }
  throw new ProbeError('EPROTO', 'no reply to STARTTLS');
}

export interface PeerCertificateReport {
  /** TLS version negotiated, e.g. "TLSv1.3". */
  protocol: string | null;
  /** The chain verified against the trust store (system roots, or roots + the account's CA). */
  chainTrusted: boolean;
  /** OpenSSL's reason when the chain did not verify, e.g. DEPTH_ZERO_SELF_SIGNED_CERT. */
  chainError: string | null;
  /** The host-name check (RFC 6125) result; null when it passed. */
  hostnameError: string | null;
  subject: string;
  issuer: string;
  validFrom: number;
  validTo: number;
  /** "AB:CD:…" upper case, as tls and X509Certificate report it. */
  fingerprint256: string;
  selfSigned: boolean;
  /** PEM of every certificate the server presented, leaf first. */
  chainPem: string;
}

/**
 * TLS handshake over `socket` (or a fresh connection when `socket` is null) with
 * rejectUnauthorized: false — only to READ the certificate and learn whether it would verify.
 * The probe sends nothing over the encrypted channel and is closed right after.
 */
export function readPeerCertificate(options: {
  host: string;
  port: number;
  socket: Socket;
  caPem: string | null;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<PeerCertificateReport> {
  const { host } = options;
  const tlsSocket: TLSSocket = tlsConnect({
    socket: options.socket,
    // SNI must not be an IP address (RFC 6066 §3).
    ...(isIP(host) ? {} : { servername: host }),
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    // The same trust the real connection will use (client-options.ts tlsOptions).
    ...(options.caPem ? { ca: [...rootCertificates, options.caPem] } : {}),
  });
  tlsSocket.on('error', () => undefined);
  return bounded<PeerCertificateReport>(
    { timeoutMs: options.timeoutMs, signal: options.signal, what: 'TLS handshake', cleanup: () => tlsSocket.destroy() },
    (resolve, reject) => {
      tlsSocket.once('secureConnect', () => {
        try {
          const peer = tlsSocket.getPeerCertificate(true);
          if (!peer || !peer.raw) throw new ProbeError('EPROTO', 'the server presented no certificate');
          const identityError = checkServerIdentity(host, peer);
          resolve(
            describe(peer, {
              protocol: tlsSocket.getProtocol(),
              chainTrusted: tlsSocket.authorized,
              chainError: tlsSocket.authorized ? null : String(tlsSocket.authorizationError ?? 'unknown'),
              hostnameError: identityError ? identityError.message : null,
            }),
          );
        } catch (err) {
          reject(err);
        } finally {
          tlsSocket.destroy();
        }
      });
      tlsSocket.once('error', (err) => {
        tlsSocket.destroy();
        reject(new ProbeError(errCode(err) || 'EPROTO', err.message, { cause: err }));
      });
    },
  );
}

function describe(
  peer: DetailedPeerCertificate,
  verdict: Pick<PeerCertificateReport, 'protocol' | 'chainTrusted' | 'chainError' | 'hostnameError'>,
): PeerCertificateReport {
  const leaf = new X509Certificate(peer.raw);
  const pems: string[] = [];
  const seen = new Set<string>();
  // issuerCertificate points at itself at the top of the chain; stop on any repeat.
  for (let c: DetailedPeerCertificate | undefined = peer; c?.raw && pems.length < 10; c = c.issuerCertificate) {
    const fp = c.fingerprint256;
    if (seen.has(fp)) break;
    seen.add(fp);
    pems.push(new X509Certificate(c.raw).toString());
  }
  return {
    ...verdict,
    subject: oneLine(leaf.subject),
    issuer: oneLine(leaf.issuer),
    validFrom: Date.parse(leaf.validFrom),
    validTo: Date.parse(leaf.validTo),
    fingerprint256: leaf.fingerprint256.toUpperCase(),
    // Not checkIssued(): OpenSSL's check also wants keyCertSign, which self-signed leaf
    // certificates usually lack. Same name and its own key verifies its signature = self-signed.
    selfSigned: leaf.subject === leaf.issuer && leaf.verify(leaf.publicKey),
    chainPem: pems.join(''),
  };
}

/** X509Certificate prints one RDN per line ("CN=a\nO=b"); show "CN=a, O=b". */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Accepts hex with or without colons (optionally prefixed "sha256:"); returns "AB:CD:…" or null. */
export function normalizeFingerprint(value: string): string | null {
  const hex = value
    .trim()
    .replace(/^sha-?256[:=]?/i, '')
    .replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}
