import type { RequestParams, RequestResult, RequestType } from '../../../shared/index.js';
import type { AccountRegistry } from '../accounts/account-registry.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { EventHub } from '../events/hub.js';
import type { Logger } from '../log.js';
import type { ReachPolicy } from '../net/reach-policy.js';
import type { DiagnosisLimiter } from '../setup/diagnosis-limiter.js';
import type { SignInFlows } from '../oauth/sign-in-flows.js';
import type { OAuthTokens } from '../oauth/token-manager.js';
import type { DiscoveryOptions } from '../setup/discover.js';
import type { Device, Store } from '../store/types.js';

/** Long-lived services every handler may use; built once in server.ts. */
export interface RelayServices {
  store: Store;
  accounts: AccountRegistry;
  hub: EventHub;
  log: Logger;
  version: string;
  now: () => number;
  /** Normalised IPs of reverse proxies whose X-Forwarded-For is believed (see http/client-address.ts). */
  trustedProxies: ReadonlySet<string>;
  /** Encrypts a password sent once by accounts.add/update before it is stored. */
  secretBox: SecretBox;
  /** Where accounts.discover looks (autoconfig base URL, DNS resolver); injectable for tests. */
  discovery: DiscoveryOptions;
  /** Which addresses the relay may connect to on a user's behalf (discovery, diagnosis). */
  reach: ReachPolicy;
  /** Per-user concurrency and rate of connection tests. */
  diagnoses: DiagnosisLimiter;
  /** The relay's IMAP connect deadline (ImapTimings.connectTimeoutMs): each connection-test step's too. */
  imapConnectTimeoutMs: number;
  /** OAuth2 sign-in flows in progress (device code, authorization code + PKCE). */
  signIns: SignInFlows;
  /** Access tokens of OAuth2 accounts (the diagnosis renews one to check the token steps). */
  tokens: OAuthTokens;
  /** Closes every open socket of a device (after devices.revoke) with the given close code. */
  closeDeviceSockets(deviceId: string, code: number, reason: string): void;
  /** Signed-in sockets of a device right now (for Limits.maxSocketsPerDevice). */
  countDeviceSockets(deviceId: string): number;
}

export interface AuthenticatedDevice {
  userId: string;
  deviceId: string;
}

/** What a handler may ask of the socket session it runs in. */
export interface SessionHandle {
  /** The Origin the socket was opened from (checked before the upgrade). */
  readonly origin: string;
  readonly auth: AuthenticatedDevice | null;
  /** Marks the socket authenticated and subscribes it to the user's events after `lastSeq`. */
  signIn(device: Device, lastSeq: number | null): { seq: number; resync: boolean };
}

export interface HandlerContext {
  services: RelayServices;
  session: SessionHandle;
  /** Aborted when the socket closes. */
  signal: AbortSignal;
}

/** Context for handlers that need a signed-in device (all but `hello`). */
export interface AuthedContext extends HandlerContext {
  auth: AuthenticatedDevice;
}

export type Handler<T extends RequestType> = (
  ctx: AuthedContext,
  params: RequestParams<T>,
) => Promise<RequestResult<T>>;
export type PublicHandler<T extends RequestType> = (
  ctx: HandlerContext,
  params: RequestParams<T>,
) => Promise<RequestResult<T>>;
