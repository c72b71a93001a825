/**
 * Every limit in one place, each with the reason for its value.
 * Shared by the relay and the extension so both ends agree.
 */
export const Limits = {
  /** Largest frame the relay accepts from a client (ws `maxPayload`); requests are small JSON. */
  maxClientFrameBytes: 256 * 1024,
  /** A socket must say `hello` this soon after opening or it is closed (slowloris defence). */
  helloTimeoutMs: 5_000,
  /** Requests per second a socket may send on average (token bucket refill rate). */
  requestsPerSecond: 20,
  /** Burst size of the per-socket token bucket; a popup opening sends a handful at once. */
  requestBurst: 60,
  /** Pairing attempts per remote address per minute; a code has ~40 bits, so this bounds guessing. */
  pairAttemptsPerMinute: 10,
  /** A pairing code is valid this long after `pair` prints it. */
  pairingCodeTtlMs: 10 * 60_000,
  /** Relay → client WebSocket ping interval; a peer that misses one pong is terminated. */
  relayPingIntervalMs: 30_000,
  /**
   * Extension → relay application ping. Chrome 116+ keeps an MV3 worker alive while WebSocket
   * messages flow at least every 30 s; 20 s leaves margin.
   */
  clientKeepaliveMs: 20_000,
  /** A client that hears nothing (not even a pong) this long declares the socket dead. */
  clientDeadAfterMs: 45_000,
  /** Events kept per user for replay after a reconnect; older gaps get a resync. */
  replayBufferEvents: 1_000,
  /** Largest IMAP literal the relay will read (imapflow `maxLiteralSize`); bodies are fetched by part. */
  imapMaxLiteralBytes: 64 * 1024 * 1024,
  /** Largest decoded body part sent to the popup; larger ones are truncated with a flag. */
  bodyPartMaxBytes: 2 * 1024 * 1024,
  /** Deepest MIME nesting the relay walks; deeper parts are ignored. */
  mimeMaxDepth: 64,
  /**
   * IDLE is re-issued this often. RFC 2177 says servers may drop a client idle for 30 min;
   * the design caps it at 10 min.
   */
  idleReissueMs: 9 * 60_000,
  /**
   * A watcher that hears nothing from the server this long is declared dead and replaced.
   * Dovecot sends "* OK Still here" every 2 minutes during IDLE (imap_idle_notify_interval).
   */
  watcherSilenceMs: 150_000,
  /** Connect + TLS + login must finish within this time. */
  imapConnectTimeoutMs: 15_000,
  /** Reconnect backoff bounds for IMAP watchers. */
  imapBackoffBaseMs: 1_000,
  imapBackoffMaxMs: 5 * 60_000,
  /** After AUTH_FAILED the relay retries only this rarely, so a wrong password never storms the server. */
  authFailedRetryMs: 30 * 60_000,
  /** Reconnect backoff bounds for the extension's relay socket. */
  relayBackoffBaseMs: 500,
  relayBackoffMaxMs: 60_000,
  /** How often the relay checks the store for account changes made by the CLI. */
  storePollMs: 1_000,
  /** A lazily opened IMAP command connection closes after this much idle time. */
  commandConnectionIdleMs: 3 * 60_000,
  /** A client that lets this much unsent data pile up (never reads) is disconnected. */
  maxSocketBufferedBytes: 8 * 1024 * 1024,
  /** Longest account display name / mailbox path accepted. */
  maxNameLength: 200,
  maxMailboxPathLength: 1_000,
} as const;
