/**
 * The account diagnosis (`accounts.diagnose`) as a checklist in the user's language. The relay's
 * own `detail`/`hint` are English; they are kept as the technical line, while the title, the
 * explanation and the fix come from the locale files, built from the diagnosis's structured
 * fields (addresses, TLS version, certificate, capabilities, round trip).
 */
import {
  NOTABLE_CAPABILITIES,
  OAUTH_PROVIDERS,
  type Diagnosis,
  type DiagnosisStep,
  type ErrorCode,
  type OAuthProviderId,
  type ServerSettingsWire,
} from '../../shared/index.js';
import { errorHint } from '../i18n/error-text.js';
import type { Translate } from '../i18n/i18n.js';
import { providerOfHost } from './providers.js';

export interface DiagnosisRow {
  id: DiagnosisStep['id'] | 'rtt';
  status: DiagnosisStep['status'];
  title: string;
  detail: string;
  /** What to do, for warn/fail; null when nothing is needed. */
  hint: string | null;
  /** The relay's own words, shown small. */
  technical: string | null;
  ms: number | null;
}

interface ViewOptions {
  t: Translate;
  locale: string;
  now: number;
  /** The account's OAuth2 provider (issue 9): names it in the token steps. */
  oauthProvider?: OAuthProviderId | null;
}

/** `AB:CD:…` in any case or separator → `ABCD…`, for comparing fingerprints. */
export function fingerprintKey(fingerprint: string): string {
  return fingerprint.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

/**
 * True when the only problem is a certificate nobody vouches for (self-signed, unknown issuer,
 * other name) that is within its validity: the user may compare the fingerprint and pin it.
 * An expired certificate, or one that differs from the pinned one, is not offered.
 */
export function canTrustCertificate(diagnosis: Diagnosis, settings: ServerSettingsWire, now: number): boolean {
  const cert = diagnosis.certificate;
  if (!cert || cert.trusted || diagnosis.error?.code !== 'TLS_FAILED') return false;
  if (now > cert.validTo || now < cert.validFrom) return false;
  return settings.pinnedFingerprint === null;
}

export function capabilityList(diagnosis: Diagnosis): { name: string; present: boolean }[] {
  const caps = new Set(diagnosis.capabilities.map((c) => c.toUpperCase()));
  return NOTABLE_CAPABILITIES.map((name) => ({
    name,
    present: caps.has(name) || (name === 'QUOTA' && [...caps].some((c) => c.startsWith('QUOTA='))),
  }));
}

export function diagnosisRows(
  diagnosis: Diagnosis,
  settings: ServerSettingsWire,
  options: ViewOptions,
): DiagnosisRow[] {
  const rows = diagnosis.steps.map((step) => stepRow(step, diagnosis, settings, options));
  if (diagnosis.rttMs !== null) {
    const { t, locale } = options;
    rows.push({
      id: 'rtt',
      status: 'ok',
      title: t('diag_title_rtt'),
      detail: t('diag_rtt_ok', new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(diagnosis.rttMs)),
      hint: null,
      technical: null,
      ms: diagnosis.rttMs,
    });
  }
  return rows;
}

function stepRow(step: DiagnosisStep, d: Diagnosis, settings: ServerSettingsWire, o: ViewOptions): DiagnosisRow {
  const { t } = o;
  // An OAuth2 checklist (it has a token step): "auth" means the IMAP server accepted the token.
  const oauth = d.steps.some((s) => s.id === 'token');
  const titleOf = (id: DiagnosisStep['id']) => t(oauth && id === 'auth' ? 'diag_title_authToken' : `diag_title_${id}`);
  const row = (detail: string, hint: string | null = null): DiagnosisRow => ({
    id: step.id,
    status: step.status,
    title: titleOf(step.id),
    detail,
    hint,
    // The relay's own (English) words, kept for problems only: for a step that went well or was
    // not tried they repeat the translated line.
    technical: step.status === 'fail' || step.status === 'warn' ? step.detail || null : null,
    ms: step.ms,
  });
  if (step.status === 'skipped') {
    // Name the step that failed: it may come after this one (capabilities are read after sign-in).
    const failed = d.steps.find((s) => s.status === 'fail');
    return row(failed ? t('diag_skippedBecause', titleOf(failed.id)) : t('diag_skipped'));
  }
  const host = settings.host;
  const port = String(settings.port);
  switch (step.id) {
    case 'token':
    case 'scopes':
      return oauthRow(step, o, row);
    case 'dns': {
      if (step.status === 'fail') return row(t('diag_dns_fail', host), t('diag_dns_hint'));
      const others = d.addresses.filter((a) => a !== host);
      // An IP address needs no lookup: "127.0.0.1 found at 127.0.0.1" said nothing.
      return others.length === 0 ? row(t('diag_dns_literal', host)) : row(t('diag_dns_ok', [host, others.join(', ')]));
    }
    case 'tcp':
      if (step.status !== 'fail') return row(t('diag_tcp_ok', [host, port]));
      if (step.code === 'TIMEOUT') return row(t('diag_tcp_timeout', [host, port]), tcpHint(settings, t));
      return row(t('diag_tcp_fail', [host, port]), tcpHint(settings, t));
    case 'tls':
      return tlsRow(step, d, settings, o, row);
    case 'capabilities': {
      const present = capabilityList(d)
        .filter((c) => c.present)
        .map((c) => c.name);
      if (step.status === 'warn') return row(t('diag_caps_noIdle'), t('diag_caps_noIdleHint'));
      // The component lists them as chips; the sentence says how many.
      return row(
        present.length > 0
          ? t('diag_caps_ok', [String(present.length), String(NOTABLE_CAPABILITIES.length)])
          : t('diag_caps_none'),
      );
    }
    case 'auth': {
      if (oauth) {
        if (step.status !== 'fail') return row(t('diag_authToken_ok', settings.username));
        if (step.code === 'AUTH_FAILED')
          return row(t('diag_authToken_fail', settings.username), t('diag_authToken_hint'));
        return row(t('diag_auth_other'), errorHint(step.code ?? 'AUTH_FAILED', t));
      }
      if (step.status !== 'fail') return row(t('diag_auth_ok', settings.username));
      // Relays before DiagnosisStep.code only fail this step for a refused sign-in in practice.
      const code: ErrorCode = step.code ?? 'AUTH_FAILED';
      if (code === 'AUTH_FAILED') return row(t('diag_auth_fail', settings.username), authHint(host, t));
      return row(t('diag_auth_other'), errorHint(code, t));
    }
  }
}

/** The OAuth2 token steps (issue 9): the provider's token endpoint, then the granted scopes. */
function oauthRow(
  step: DiagnosisStep,
  o: ViewOptions,
  row: (detail: string, hint?: string | null) => DiagnosisRow,
): DiagnosisRow {
  const { t } = o;
  const info = o.oauthProvider ? OAUTH_PROVIDERS[o.oauthProvider] : null;
  const name = info ? (info.label.split(' (')[0] ?? info.label) : t('diag_token_providerUnknown');
  if (step.id === 'scopes') {
    if (step.status !== 'fail') return row(t('diag_scopes_ok'));
    return row(t('diag_scopes_missing', info?.imapScope ?? ''), t('diag_scopes_missingHint'));
  }
  if (step.status !== 'fail') return row(t('diag_token_ok', name));
  switch (step.code) {
    case 'REAUTH_REQUIRED':
      return row(t('diag_token_refused', name), t('diag_token_refusedHint'));
    case 'OAUTH_NOT_CONFIGURED':
      return row(t('diag_token_notConfigured', name), t('diag_token_notConfiguredHint'));
    case 'OAUTH_REFUSED':
      return row(t('diag_token_clientRefused', name), t('diag_token_clientRefusedHint'));
    case 'BAD_REQUEST':
      return row(t('diag_token_blocked', name), t('diag_token_blockedHint'));
    case 'TIMEOUT':
      return row(t('diag_token_timeout', name), t('diag_token_unreachableHint'));
    default:
      return row(t('diag_token_unreachable', name), t('diag_token_unreachableHint'));
  }
}

function tcpHint(settings: ServerSettingsWire, t: Translate): string {
  return settings.port === 993 || settings.port === 143 ? t('diag_tcp_hintNetwork') : t('diag_tcp_hintPort');
}

/** The fix for a refused sign-in: the provider's app-password recipe, or what to check. */
export function authHint(host: string, t: Translate): string {
  return t(`diag_auth_hint_${providerOfHost(host)}`);
}

function tlsRow(
  step: DiagnosisStep,
  d: Diagnosis,
  settings: ServerSettingsWire,
  o: ViewOptions,
  row: (detail: string, hint?: string | null) => DiagnosisRow,
): DiagnosisRow {
  const { t, locale, now } = o;
  const cert = d.certificate;
  const tls = d.tlsVersion ?? 'TLS';
  const day = (ms: number) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(ms);
  if (settings.security === 'plain' && !cert) {
    return step.status === 'fail'
      ? row(t('diag_tls_failed'), t('diag_tls_plainHint'))
      : row(t('diag_tls_plain'), t('diag_tls_plainHint'));
  }
  if (step.status === 'fail') {
    if (!cert) {
      return row(
        t('diag_tls_failed'),
        settings.security === 'starttls' ? t('diag_tls_portHintStarttls') : t('diag_tls_portHintTls'),
      );
    }
    if (now > cert.validTo) return row(t('diag_tls_expired', day(cert.validTo)), t('diag_tls_expiredHint'));
    if (now < cert.validFrom) return row(t('diag_tls_notYetValid', day(cert.validFrom)), t('diag_tls_expiredHint'));
    if (
      settings.pinnedFingerprint !== null &&
      fingerprintKey(settings.pinnedFingerprint) !== fingerprintKey(cert.fingerprint256)
    ) {
      return row(t('diag_tls_pinMismatch'), t('diag_tls_pinMismatchHint'));
    }
    return row(
      cert.selfSigned ? t('diag_tls_selfSigned', cert.subject) : t('diag_tls_untrusted', [cert.subject, cert.issuer]),
      t('diag_tls_trustHint'),
    );
  }
  if (!cert) return row(t('diag_tls_okBare', tls));
  const via = settings.security === 'starttls' ? t('diag_tls_viaStarttls', tls) : tls;
  const detail =
    settings.pinnedFingerprint !== null
      ? t('diag_tls_okPinned', [via, cert.subject, day(cert.validTo)])
      : t('diag_tls_ok', [via, cert.subject, cert.issuer, day(cert.validTo)]);
  return step.status === 'warn' ? row(detail, t('diag_tls_expiringHint', day(cert.validTo))) : row(detail);
}
