/**
 * The state the background shares with the popup and options page, and the relay client's
 * connection state. Schemas, because every snapshot crosses a runtime Port and is parsed from
 * `unknown` on the UI side.
 */
import { z } from 'zod/mini';
import { accountSummarySchema } from '../../shared/index.js';

/**
 * The relay socket as the extension sees it. One `status` field with explicit transitions
 * (see RelayClient), never a set of booleans.
 *
 * - `idle`: not started (no token) or stopped.
 * - `connecting`: a socket is opening or `hello` is in flight; `attempt` counts the failures before it.
 * - `open`: `hello` succeeded at `since` (epoch ms).
 * - `backoff`: the last attempt failed with `error`; the next one starts at `retryAt`.
 * - `unauthorized`: the relay refused the token (close 4401 or `device.revoked`); never retried.
 * - `incompatible`: the relay speaks another protocol version (close 4400); never retried automatically.
 */
export const connectionStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('idle') }),
  z.object({ status: z.literal('connecting'), attempt: z.int().check(z.nonnegative()) }),
  z.object({ status: z.literal('open'), since: z.number() }),
  z.object({
    status: z.literal('backoff'),
    attempt: z.int().check(z.positive()),
    retryAt: z.number(),
    error: z.string(),
  }),
  z.object({ status: z.literal('unauthorized') }),
  z.object({ status: z.literal('incompatible'), message: z.string() }),
]);
export type ConnectionState = z.infer<typeof connectionStateSchema>;

/**
 * Whether this browser holds a device token. The token itself never leaves the background.
 * `revoked` tells the UI that the relay dropped the pairing (as opposed to the user unpairing).
 */
export const pairingStatusSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unpaired'), revoked: z.boolean() }),
  z.object({ status: z.literal('paired'), deviceId: z.string() }),
]);
export type PairingStatus = z.infer<typeof pairingStatusSchema>;

export const snapshotSchema = z.object({
  /** The relay URL in use (or the default when never paired). */
  relayUrl: z.string(),
  pairing: pairingStatusSchema,
  connection: connectionStateSchema,
  /** Last accounts the relay reported; kept while offline so the popup still shows something. */
  accounts: z.array(accountSummarySchema),
  /** Epoch ms when `accounts` was last confirmed by the relay, or null if never. */
  accountsAt: z.nullable(z.number()),
  /**
   * The relay's clock minus the browser's (ms), from hello/pong `serverTime`: subtract it from a
   * relay time to show it in browser time (issue 8: times never in the future). Optional: 0 when unknown.
   */
  clockOffsetMs: z.optional(z.number()),
});
export type Snapshot = z.infer<typeof snapshotSchema>;
