/**
 * The account diagnosis: a checklist (dns → tcp → tls → capabilities → auth) run against server
 * settings and a password before anything is saved, with plain-language details and hints.
 *
 * Trust: the TLS step READS the certificate over a probe connection (no login). A login happens
 * only over a verified connection (client-options.ts): either the chain verifies with the host
 * name, or the user pinned this exact certificate, in which case its chain is used as the CA and
 * the fingerprint replaces the host-name check. The password goes only to the IMAP server, over
 * that connection, and is never logged.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { ImapFlow } from 'imapflow';
import {
  ErrorCode,
  Limits,
  TidingsError,
  type CertificateInfo,
  type Diagnosis,
  type DiagnosisStep,
  type ServerSettingsWire,
  NOTABLE_CAPABILITIES,
} from '../../../shared/index.js';
import { classifyImapError } from '../imap/classify-error.js';
import { imapFlowOptions, withReachPolicy } from '../imap/client-options.js';
import { imapflowLogger, type Logger } from '../log.js';
import { reachRefusal, type ReachPolicy } from '../net/reach-policy.js';
import { authFailedHint, NO_IDLE_HINT, pinningHint, PLAINTEXT_HINT, portHint } from './hints.js';
import {
  normalizeFingerprint,
  openTcp,
  ProbeError,
  readGreeting,
  readPeerCertificate,
  requestStartTls,
  type PeerCertificateReport,
} from './probe.js';

export type HostLookup = (host: string, signal: AbortSignal) => Promise<string[]>;

/** getaddrinfo, as the IMAP connection itself will resolve the name (honours /etc/hosts). */
export const systemLookup: HostLookup = async (host) => {
  const results = await dnsLookup(host, { all: true, verbatim: true });
  return results.map((r) => r.address);
};

export interface DiagnoseInput {
  settings: ServerSettingsWire;
  password: string;
  /** OAuth2 accounts: sign in with this access token instead of `password` (issue 9). */
  accessToken?: string;
  /** A CA bundle already stored for the account (CLI --ca-file); ignored when a pin is given. */
  caPem: string | null;
  /** Also check that these folders exist (accounts.add / accounts.update). */
  mailboxes?: readonly string[];
  signal?: AbortSignal;
  lookup?: HostLookup;
  /** Which addresses the relay may connect to (relay/src/net/reach-policy.ts). */
  reach: ReachPolicy;
  /**
   * Deadline of each connecting step (TCP, greeting, STARTTLS, TLS, the sign-in's connect): the
   * relay's own connect deadline (ImapTimings.connectTimeoutMs, TIDINGS_IMAP_CONNECT_TIMEOUT_MS),
   * so a connection test gives up when the account's connections would. Default
   * Limits.imapConnectTimeoutMs.
   */
  timeoutMs?: number;
  now?: () => number;
  log?: Logger;
}

export interface DiagnoseOutcome {
  diagnosis: Diagnosis;
  /** The first failure as a protocol error (what accounts.add answers with), or null. */
  failure: { code: ErrorCode; message: string } | null;
  /** What to store with the account: the normalised pin and the CA that makes it verify. */
  trust: { pinnedFingerprint: string | null; caPem: string | null };
}

interface StepResult {
  status: DiagnosisStep['status'];
  detail: string;
  hint?: string | null;
  ms?: number | null;
}

export async function diagnose(input: DiagnoseInput): Promise<DiagnoseOutcome> {
  const { settings } = input;
  const now = input.now ?? Date.now;
  const signal = input.signal ?? new AbortController().signal;
  const lookup = input.lookup ?? systemLookup;
  const stepTimeoutMs = input.timeoutMs ?? Limits.imapConnectTimeoutMs;
  const steps: DiagnosisStep[] = [];
  const out: Omit<Diagnosis, 'ok' | 'steps'> = {
    addresses: [],
    tlsVersion: null,
    certificate: null,
    capabilities: [],
    rttMs: null,
    error: null,
  };
  let failure: DiagnoseOutcome['failure'] = null;
  let pinnedFingerprint: string | null = null;
  let caPem = input.caPem;

  const step = (id: DiagnosisStep['id'], r: StepResult, code?: ErrorCode) =>
    steps.push({
      id,
      status: r.status,
      detail: r.detail,
      hint: r.hint ?? null,
      ms: r.ms ?? null,
      ...(code ? { code } : {}),
    });
  const fail = (id: DiagnosisStep['id'], code: ErrorCode, r: Omit<StepResult, 'status'>) => {
    step(id, { ...r, status: 'fail' }, code);
    failure ??= { code, message: r.hint ? `${r.detail} ${r.hint}` : r.detail };
  };
  const skipRest = (from: DiagnosisStep['id'], why: string) => {
    const order: DiagnosisStep['id'][] = ['dns', 'tcp', 'tls', 'capabilities', 'auth'];
    for (const id of order.slice(order.indexOf(from))) step(id, { status: 'skipped', detail: why });
  };
  const finish = (): DiagnoseOutcome => ({
    diagnosis: { ok: failure === null, steps, ...out },
    failure,
    trust: { pinnedFingerprint, caPem },
  });

  if (settings.pinnedFingerprint !== null) {
    pinnedFingerprint = normalizeFingerprint(settings.pinnedFingerprint);
    if (!pinnedFingerprint)
      throw new TidingsError('BAD_REQUEST', 'pinnedFingerprint must be a SHA-256 fingerprint (64 hex digits)');
  }

  // ---- dns
  const host = settings.host.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    out.addresses = [host];
    step('dns', { status: 'ok', detail: `${host} is an IP address; no name lookup needed.` });
  } else {
    const started = performance.now();
    try {
      out.addresses = await withTimeout(lookup(host, signal), Limits.dnsTimeoutMs, signal);
      step('dns', {
        status: 'ok',
        detail: `${host} resolves to ${out.addresses.join(', ')}.`,
        ms: elapsed(started),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      fail('dns', ErrorCode.UNREACHABLE, {
        detail: `The server name ${host} could not be found (${errorCode(err) || 'DNS error'}).`,
        hint: 'Check the spelling of the server name, and that the relay machine has working DNS.',
        ms: elapsed(started),
      });
      skipRest('tcp', 'Not tried: the server name did not resolve.');
      return finish();
    }
  }

  // The reach policy on the resolved addresses: a name is refused like the address it stands for.
  for (const address of out.addresses) {
    const refusal = reachRefusal(address, input.reach);
    if (refusal) {
      steps.pop();
      fail('dns', ErrorCode.BAD_REQUEST, {
        detail: isIP(host) ? refusal : `${host} resolves to ${out.addresses.join(', ')}. ${refusal}`,
        hint: "Use the server's public name. Private-network servers need the relay's operator to allow them (--allow-private-networks).",
      });
      skipRest('tcp', 'Not tried: the relay does not connect to this address.');
      return finish();
    }
  }

  // ---- tcp (to the address just checked, not the name again: its answer could change meanwhile)
  let socket: Socket;
  try {
    const tcp = await openTcp({
      host: out.addresses[0] ?? host,
      port: settings.port,
      timeoutMs: stepTimeoutMs,
      signal,
    });
    socket = tcp.socket;
    step('tcp', { status: 'ok', detail: `Connected to ${host} port ${settings.port}.`, ms: tcp.ms });
  } catch (err) {
    if (signal.aborted) throw err;
    const code = errorCode(err);
    const timedOut = code === 'ETIMEDOUT';
    fail('tcp', timedOut ? ErrorCode.TIMEOUT : ErrorCode.UNREACHABLE, {
      detail: timedOut
        ? `No answer from ${host} port ${settings.port} within ${stepTimeoutMs / 1000} s.`
        : `Nothing accepts connections on ${host} port ${settings.port} (${code || 'connection failed'}).`,
      hint: portHint(settings.port),
    });
    skipRest('tls', 'Not tried: no connection.');
    return finish();
  }

  // ---- tls (probe: read the certificate, decide trust; no login on this connection)
  let report: PeerCertificateReport | null = null;
  const tlsStarted = performance.now();
  try {
    if (settings.security === 'plain') {
      await readGreeting(socket, stepTimeoutMs, signal);
      socket.destroy();
      step('tls', {
        status: 'warn',
        detail: 'No encryption: you chose plain IMAP for this account.',
        hint: PLAINTEXT_HINT,
      });
    } else {
      if (settings.security === 'starttls') {
        await readGreeting(socket, stepTimeoutMs, signal);
        await requestStartTls(socket, stepTimeoutMs, signal);
      }
      report = await readPeerCertificate({
        host,
        port: settings.port,
        socket,
        caPem: pinnedFingerprint ? null : caPem,
        timeoutMs: stepTimeoutMs,
        signal,
      });
    }
  } catch (err) {
    socket.destroy();
    if (signal.aborted) throw err;
    const code = errorCode(err);
    if (code === 'NO_STARTTLS') {
      fail('tls', ErrorCode.TLS_FAILED, {
        detail: 'The server does not offer STARTTLS on this port, so the connection cannot be encrypted.',
        hint: 'Try port 993 with TLS. Tidings never falls back to sending your password unencrypted.',
        ms: elapsed(tlsStarted),
      });
    } else if (code === 'ETIMEDOUT' || code === 'EPROTO' || code === 'ECONNRESET') {
      fail('tls', code === 'ETIMEDOUT' ? ErrorCode.TIMEOUT : ErrorCode.TLS_FAILED, {
        detail: `The server did not complete the ${settings.security === 'tls' ? 'TLS handshake' : 'IMAP greeting and STARTTLS'}: ${messageOf(err)}`,
        hint:
          settings.security === 'tls'
            ? 'Is this the TLS port? Port 993 uses TLS from the start; port 143 needs STARTTLS.'
            : 'Is this the STARTTLS port? Port 143 uses STARTTLS; port 993 uses TLS from the start.',
        ms: elapsed(tlsStarted),
      });
    } else {
      fail('tls', ErrorCode.TLS_FAILED, {
        detail: `A secure connection could not be established: ${messageOf(err)}`,
        hint: 'Tidings needs TLS 1.2 or newer. Check the port and security settings.',
        ms: elapsed(tlsStarted),
      });
    }
    skipRest('capabilities', 'Not tried: no secure connection.');
    return finish();
  }

  if (report) {
    out.tlsVersion = report.protocol;
    const tlsMs = elapsed(tlsStarted);
    const pinMatches = pinnedFingerprint !== null && report.fingerprint256 === pinnedFingerprint;
    const trusted = pinnedFingerprint !== null ? pinMatches : report.chainTrusted && report.hostnameError === null;
    out.certificate = certificateInfo(report, trusted);
    const t = now();
    const validity = `valid until ${isoDay(report.validTo)}`;
    if (t > report.validTo || t < report.validFrom) {
      fail('tls', ErrorCode.TLS_FAILED, {
        detail:
          t > report.validTo
            ? `The server's certificate expired on ${isoDay(report.validTo)}.`
            : `The server's certificate is not valid before ${isoDay(report.validFrom)}.`,
        hint: "The server's administrator must renew the certificate (or the relay machine's clock is wrong). It cannot be trusted until then.",
        ms: tlsMs,
      });
    } else if (pinnedFingerprint !== null && !pinMatches) {
      fail('tls', ErrorCode.TLS_FAILED, {
        detail: `The server's certificate is not the one you trusted: its fingerprint is ${report.fingerprint256}, not ${pinnedFingerprint}.`,
        hint: `If the server's owner replaced the certificate, check the new fingerprint and trust it again. Otherwise someone may be intercepting the connection: do not continue. ${pinningHint(report.fingerprint256)}`,
        ms: tlsMs,
      });
      out.error = { code: ErrorCode.TLS_FAILED, message: 'The certificate does not match the pinned fingerprint.' };
    } else if (!trusted) {
      const why = report.selfSigned
        ? 'is self-signed, so no trusted authority vouches for it'
        : report.chainError
          ? `is not issued by an authority the relay trusts (${report.chainError})`
          : `does not name this server (${report.hostnameError ?? 'host-name mismatch'})`;
      fail('tls', ErrorCode.TLS_FAILED, {
        detail: `The server's certificate (${report.subject}, issued by ${report.issuer}) ${why}.`,
        hint: pinningHint(report.fingerprint256),
        ms: tlsMs,
      });
      out.error = { code: ErrorCode.TLS_FAILED, message: `Untrusted certificate: ${report.fingerprint256}` };
    } else {
      const soon = report.validTo - t < Limits.certificateExpiryWarnMs;
      step('tls', {
        status: soon ? 'warn' : 'ok',
        detail: `${report.protocol ?? 'TLS'}${settings.security === 'starttls' ? ' via STARTTLS' : ''}; certificate for ${report.subject}, ${pinnedFingerprint ? 'pinned by you' : `issued by ${report.issuer}`}, ${validity}.`,
        hint: soon
          ? `The certificate expires on ${isoDay(report.validTo)}; the server's administrator should renew it soon.`
          : null,
        ms: tlsMs,
      });
      if (pinnedFingerprint) caPem = report.chainPem;
    }
    if (failure) {
      skipRest('capabilities', 'Not tried: the connection is not trusted, so your password was not sent.');
      return finish();
    }
  }

  // ---- capabilities + auth, over a verified connection (the only one that sees the password)
  // withReachPolicy: the policy also holds if the name resolves elsewhere by now (DNS rebinding).
  const flowOptions = withReachPolicy(
    imapFlowOptions(
      {
        host,
        port: settings.port,
        security: settings.security,
        username: settings.username,
        pinnedFingerprint,
        caPem,
      },
      input.accessToken !== undefined
        ? { kind: 'oauth2', accessToken: input.accessToken }
        : { kind: 'password', password: input.password },
      {
        disableAutoIdle: true,
        connectionTimeout: stepTimeoutMs,
        greetingTimeout: stepTimeoutMs,
        ...(input.log ? { logger: imapflowLogger(input.log) } : {}),
      },
    ),
    input.reach,
  );
  const client = new ImapFlow(flowOptions);
  client.on('error', (err: unknown) => input.log?.debug('diagnosis connection error', { err }));
  const onAbort = () => client.close();
  signal.addEventListener('abort', onAbort, { once: true });
  const authStarted = performance.now();
  try {
    await client.connect();
    const authMs = elapsed(authStarted);
    out.capabilities = [...client.capabilities.keys()].sort();
    const has = (c: string) =>
      client.capabilities.has(c) || (c === 'QUOTA' && out.capabilities.some((x) => x.startsWith('QUOTA=')));
    const present = NOTABLE_CAPABILITIES.filter(has);
    const missing = NOTABLE_CAPABILITIES.filter((c) => !has(c));
    step('capabilities', {
      status: has('IDLE') ? 'ok' : 'warn',
      detail:
        `Supports ${present.length ? present.join(', ') : 'none of the extensions Tidings uses'}` +
        (missing.length ? `; not ${missing.join(', ')}.` : '.'),
      hint: has('IDLE') ? null : NO_IDLE_HINT,
    });
    step('auth', { status: 'ok', detail: `Signed in as ${settings.username}.`, ms: authMs });
    const rttStarted = performance.now();
    await client.noop();
    out.rttMs = elapsed(rttStarted);
    for (const path of input.mailboxes ?? []) {
      const status = await client.status(path, { messages: true }).catch(() => null);
      if (!status && !failure)
        failure = { code: ErrorCode.NOT_FOUND, message: `The folder "${path}" does not exist on the server.` };
    }
    await client.logout().catch(() => undefined);
  } catch (err) {
    if (signal.aborted) throw err;
    const c = classifyImapError(err);
    const authMs = elapsed(authStarted);
    if (c.code === ErrorCode.AUTH_FAILED) {
      step('capabilities', { status: 'skipped', detail: 'Known only after signing in.' });
      fail('auth', ErrorCode.AUTH_FAILED, {
        detail: `The server rejected the sign-in for ${settings.username}.`,
        hint: authFailedHint(host),
        ms: authMs,
      });
    } else {
      step('capabilities', { status: 'skipped', detail: 'Not read: the connection failed.' });
      fail('auth', c.code, { detail: c.message, hint: c.hint, ms: authMs });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    client.close();
  }
  return finish();
}

function certificateInfo(r: PeerCertificateReport, trusted: boolean): CertificateInfo {
  return {
    subject: r.subject,
    issuer: r.issuer,
    validFrom: r.validFrom,
    validTo: r.validTo,
    fingerprint256: r.fingerprint256,
    trusted,
    selfSigned: r.selfSigned,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ProbeError('ETIMEDOUT', `no answer within ${ms} ms`)), ms);
    const onAbort = () => reject(new TidingsError('TIMEOUT', 'cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
