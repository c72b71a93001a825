/**
 * Plain-language hints shown beside a failed or warning diagnosis step. They say what to do,
 * not what went wrong (the step's detail says that).
 */
import { providerOfHost, type KnownProviderId } from '../../../shared/index.js';

const APP_PASSWORD: Record<KnownProviderId, string> = {
  gmail:
    'Google does not accept your normal password over IMAP. Sign in with Google instead (recommended), or turn on 2-Step Verification, create an app password at https://myaccount.google.com/apppasswords and enter that here.',
  icloud:
    'This server needs an app password: create an app-specific password at account.apple.com (Sign-In and Security → App-Specific Passwords) and enter that here; your Apple Account password will not work.',
  fastmail:
    'This server needs an app password: create one in Fastmail (Settings → Privacy & Security → App passwords, access "Mail (IMAP/POP/SMTP)") and enter that here.',
  yahoo:
    'This server needs an app password: create one in your Yahoo account (Account Security → Generate app password) and enter that here.',
  outlook:
    'Microsoft no longer accepts passwords over IMAP (Outlook.com since September 2024, Microsoft 365 since 2022): use Sign in with Microsoft instead.',
};

/** Hint after AUTH_FAILED: the app-password recipe for providers that need one, else a check-list. */
export function authFailedHint(host: string): string {
  const provider = providerOfHost(host);
  if (provider) return APP_PASSWORD[provider];
  return 'Check the username and password. The username is usually your full email address; some servers want only the part before the @.';
}

export function pinningHint(fingerprint256: string): string {
  return (
    'If you run this server yourself or trust whoever does, compare this SHA-256 fingerprint with the one on the server ' +
    '(for example: openssl x509 -noout -fingerprint -sha256 -in <certificate file>) and choose "Trust this certificate". ' +
    'Tidings will then accept exactly this certificate for this account and nothing else; if it ever changes, you will be asked again. ' +
    `Fingerprint: ${fingerprint256}`
  );
}

export const PLAINTEXT_HINT =
  'Without encryption your password and mail cross the network readable by anyone on the path. Use port 993 with TLS, or 143 with STARTTLS, if the server offers either.';

export const NO_IDLE_HINT =
  'This server cannot push new mail (no IDLE, RFC 2177): new mail will show up later than usual. Nothing to fix on your side.';

export function portHint(port: number): string {
  return port === 993 || port === 143
    ? 'Check the server name and that the relay machine can reach it (firewall, VPN).'
    : 'Check the port: IMAP normally uses 993 (TLS) or 143 (STARTTLS).';
}
