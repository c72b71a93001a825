/**
 * A `fetch` for requests the relay makes on a user's behalf (autoconfig, the diagnosis's OAuth2
 * token request), with the reach policy
 * applied where it cannot be bypassed: in the connection's `lookup` (after DNS resolution) and to
 * IP-literal hosts, for the first request and every redirect (the caller follows redirects
 * manually, so each hop is a new request through here). Node's built-in fetch takes no `lookup`,
 * hence node:http(s) underneath; the answer is a standard `Response`.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { guardedLookup, literalRefusal, ReachRefused, type ReachPolicy } from './reach-policy.js';

export function guardedFetch(policy: ReachPolicy): typeof fetch {
  const lookup = guardedLookup(policy);
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const refusal = literalRefusal(url.hostname, policy);
    if (refusal) return Promise.reject(new ReachRefused(refusal));
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
    // Form posts (OAuth token requests) carry a string body; autoconfig GETs none.
    const body = init?.body ?? undefined;
    if (body !== undefined && typeof body !== 'string')
      return Promise.reject(new Error('guardedFetch sends string bodies only'));
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init?.method ?? 'GET', headers, lookup, signal: init?.signal ?? undefined });
      req.on('error', reject);
      req.on('response', (res: IncomingMessage) => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const item of v) out.append(k, item);
          else if (v !== undefined) out.set(k, v);
        }
        const status = res.statusCode ?? 500;
        const nullBody = status === 204 || status === 304 || (status >= 100 && status < 200);
        if (nullBody) res.resume();
        resolve(
          new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
            status,
            headers: out,
          }),
        );
      });
      req.end(body);
    });
  };
}
