import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod/mini';
import {
  ErrorCode,
  Limits,
  RelayPaths,
  TidingsError,
  messageIdSchema,
  partIdSchema,
  summarizeIssues,
  uidSchema,
} from '../../../shared/index.js';
import { hashToken } from '../auth/tokens.js';
import { toTidingsError } from '../imap/command-connection.js';
import { downloadPart, type PartDownload } from '../imap/operations/download-part.js';
import type { RelayServices } from '../ws/context.js';
import { isExtensionOrigin } from './origins.js';
import { hasCredentialInQuery } from './url-secrets.js';

const querySchema = z.object({
  accountId: messageIdSchema.shape.accountId,
  mailbox: messageIdSchema.shape.mailbox,
  uidValidity: messageIdSchema.shape.uidValidity,
  // Query values are strings; a uid must be all digits before it is a number (no "1e3", no " 7").
  uid: z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,10}$/, 'uid must be a decimal number')), z.transform(Number)),
    uidSchema,
  ),
  partId: partIdSchema,
});

const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  ORIGIN_MISMATCH: 403,
  NOT_FOUND: 404,
  STALE_UIDVALIDITY: 409,
  RATE_LIMITED: 429,
  AUTH_FAILED: 502,
  TLS_FAILED: 502,
  UNREACHABLE: 502,
  IMAP_ERROR: 502,
  TIMEOUT: 504,
};

/**
 * A file name that is safe in a Content-Disposition header and on the user's disk: no control or
 * bidi-override characters (an RTL override makes "exe.pdf" look like "fdp.exe"), no path
 * separators or characters Windows forbids, no leading dots, bounded length keeping the extension.
 */
export function sanitizeFilename(name: string): string {
  let clean = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[/\\<>:"|?*]/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const max = Limits.attachmentFilenameMaxChars;
  if (clean.length > max) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
    clean =
      Array.from(clean.slice(0, clean.length - ext.length))
        .slice(0, max - ext.length)
        .join('') + ext;
  }
  return clean || 'attachment';
}

/** RFC 6266 + RFC 8187: an ASCII fallback and the exact UTF-8 name. */
export function contentDisposition(filename: string): string {
  const safe = sanitizeFilename(filename);
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * GET RelayPaths.attachment: streams one attachment. The device token comes in
 * `Authorization: Bearer …` (never in the URL) and the request's Origin, when sent, must be the
 * one the device paired from (the browser's download manager sends none); the account must be the device user's. The bytes are decoded from their
 * transfer encoding as they stream from IMAP (imapflow `download()`, 64 KiB partial fetches) and
 * are never buffered whole. `application/octet-stream` + `attachment` + `nosniff`: the browser
 * saves the file and never renders it in the extension's origin (SECURITY.md).
 */
export function registerAttachmentRoute(app: Hono, services: RelayServices): void {
  // CORS for extension origins only: the popup fetches with an Authorization header, which needs a preflight.
  app.use(RelayPaths.attachment, async (c, next) => {
    const origin = c.req.header('origin');
    if (isExtensionOrigin(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Expose-Headers', 'Content-Disposition');
      c.header('Vary', 'Origin');
    }
    if (c.req.method === 'OPTIONS') {
      if (!isExtensionOrigin(origin)) return c.body(null, 403);
      c.header('Access-Control-Allow-Methods', 'GET');
      c.header('Access-Control-Allow-Headers', 'authorization');
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    }
    await next();
  });

  app.get(RelayPaths.attachment, async (c) => {
    const fail = (code: ErrorCode, message: string) => c.json({ error: { code, message } }, STATUS[code] ?? 500);
    const url = new URL(c.req.url);
    if (hasCredentialInQuery(url))
      return fail('BAD_REQUEST', 'send the device token in the Authorization header, never in the URL');
    const token = /^Bearer\s+(\S{1,200})$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) return fail('UNAUTHORIZED', 'missing Authorization: Bearer <device token>');
    const device = services.store.findDeviceByTokenHash(hashToken(token));
    if (!device || device.revokedAt !== null)
      return fail('UNAUTHORIZED', 'unknown or revoked device token: pair again from the options page');
    // chrome.downloads.download sends the Authorization header but no Origin, so a missing Origin
    // is accepted on the token alone; a present one must be the device's. A web page cannot send
    // this header cross-origin without a preflight, which is answered for extension origins only.
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== device.origin)
      return fail('ORIGIN_MISMATCH', 'this token was paired from another origin');
    const parsed = querySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success)
      return fail(
        'BAD_REQUEST',
        `query must be accountId, mailbox, uidValidity, uid, partId: ${summarizeIssues(parsed.error)}`,
      );
    const { partId, ...id } = parsed.data;

    let download: PartDownload;
    try {
      const runtime = services.accounts.runtime(device.userId, id.accountId);
      download = await new Promise<PartDownload>((resolve, reject) => {
        runtime.downloads
          .withMailbox(id.mailbox, (session) => downloadPart(session, id, partId, resolve), { op: 'attachment' })
          .then(
            () => reject(new TidingsError(ErrorCode.INTERNAL, 'download ended before it started')),
            (err: unknown) => {
              reject(err);
              services.log.warn('attachment download failed', { err, accountId: id.accountId });
            },
          );
      });
    } catch (err) {
      const error = toTidingsError(err);
      return fail(error.code, error.message);
    }
    services.store.touchDevice(device.id, services.now());
    const body = Readable.toWeb(download.content) as ReadableStream<Uint8Array>;
    return c.body(body, 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': contentDisposition(download.filename),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      // Not rendered anywhere, even if a browser were to try.
      'content-security-policy': "default-src 'none'; sandbox",
    });
  });
}
