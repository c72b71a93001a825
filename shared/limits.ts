/**
 * Every limit in one place, each with the reason for its value.
 * Shared by the relay and the extension so both ends agree.
 */
export const Limits = {
  /** Largest frame the relay accepts from a client (ws `maxPayload`); requests are small JSON. */
  maxClientFrameBytes: 256 * 1024,
  /** A socket must say `hello` this soon after opening or it is closed (slowloris defence). */
  helloTimeoutMs: 5_000,
  /** Frames (requests and pings alike) per second a socket may send on average (token bucket refill rate). */
  requestsPerSecond: 20,
  /** Burst size of the per-socket token bucket; a popup opening sends a handful at once. */
  requestBurst: 60,
  /**
   * Wrong pairing codes per remote address per minute; past it that address's wrong codes get 429
   * (the right code still pairs: people behind one NAT must not lock each other out).
   */
  pairAttemptsPerMinute: 10,
  /**
   * Wrong pairing codes per minute from all addresses together (also the burst): the bound on
   * guessing. A code has 40 bits and lives 10 minutes, so at most ~220 guesses hit one code
   * (2^-40 each). Only when this is spent is a right code refused too, for up to a minute.
   */
  pairFailuresGlobalPerMinute: 20,
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
  /**
   * Further inline text parts of a multipart/mixed sent with a message (after its body), in order,
   * as Thunderbird shows them; together with the body they share Limits.bodyPartMaxBytes.
   */
  inlineTextPartsMax: 8,
  /** Deepest MIME nesting the relay walks; deeper parts are ignored. */
  mimeMaxDepth: 64,
  /**
   * When the IMAP library returns no BODYSTRUCTURE (imapflow gives up past 100 levels of
   * nesting), the relay reads at most this much of the raw message to find its first text part.
   */
  rawFallbackMaxBytes: 4 * 1024 * 1024,
  /** Nesting the raw fallback follows; its scan is linear, so this only bounds its boundary stack. */
  rawFallbackMaxDepth: 20_000,
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
  /**
   * Every IMAP command (and every request's whole stay on the command connection, queueing
   * included) must finish within this time; a connection that does not answer is destroyed and
   * replaced, and the caller hears TIMEOUT. Dovecot answers in milliseconds; 20 s covers a slow
   * provider moving a few hundred messages, and stays under the popup's patience.
   */
  imapCommandTimeoutMs: 20_000,
  /**
   * A watcher that heard nothing for this long breaks IDLE with DONE + NOOP to prove the link is
   * alive (issue 8). Well under Dovecot's 2-minute "* OK Still here", so a dead IDLE is found in
   * about a minute instead of when the OS gives up; tests set seconds (TIDINGS_IDLE_PROBE_MS).
   */
  idleProbeMs: 50_000,
  /** The NOOP of an IDLE probe must be answered within this time, else the account is frozen. */
  idleProbeTimeoutMs: 10_000,
  /**
   * Watched folders other than INBOX are refreshed with STATUS this often on the watcher
   * connection (at most 2 IMAP connections per account; IDLE covers INBOX only). Their counts
   * lag by at most this much. Tests set seconds (TIDINGS_FOLDER_POLL_MS).
   */
  folderPollMs: 30_000,
  /**
   * A folder's count read longer ago than this is shown as stale (issue 8): two missed polls, or
   * an account that is not live (its INBOX count is only current while IDLE runs).
   */
  countStaleMs: 60_000,
  /**
   * While an account is unreachable and a browser is listening, a TCP connect to the server is
   * tried this often; when it succeeds the backoff is cut short, so the account is live again
   * within a few seconds of the server accepting connections (issue 8: < 5 s).
   */
  imapReachabilityProbeMs: 1_500,
  /** The backoff between reconnects is capped at this while a browser is listening. */
  imapBackoffMaxWatchedMs: 10_000,
  /** UIDs a `messages.sync` may ask about at once: the extension caches 200 rows per scope. */
  syncMaxUids: 1_000,
  /** Reconnect backoff bounds for IMAP watchers. */
  imapBackoffBaseMs: 1_000,
  imapBackoffMaxMs: 5 * 60_000,
  /**
   * A watcher session that was live at least this long before it dropped starts the backoff over;
   * one that dropped sooner (a server that says BYE whenever the relay settles into IDLE) counts
   * as another failure, so the reconnect delays grow instead of repeating every second.
   */
  imapStableSessionMs: 60_000,
  /** After AUTH_FAILED the relay retries only this rarely, so a wrong password never storms the server. */
  authFailedRetryMs: 30 * 60_000,
  /** Reconnect backoff bounds for the extension's relay socket. */
  relayBackoffBaseMs: 500,
  relayBackoffMaxMs: 60_000,
  /**
   * While a popup or options page is open the backoff is capped at this instead (issue 8: the popup
   * is live again within ~3 s of a relay restart).
   */
  relayBackoffMaxUiOpenMs: 1_500,
  /**
   * A connection that stayed open at least this long is retried at once when it drops (a relay
   * restart); a shorter-lived one backs off from the start, so a relay that accepts and drops
   * every socket is never hammered.
   */
  relayStableOpenMs: 5_000,
  /** LOGOUT at shutdown or account removal waits at most this long before the socket is closed. */
  imapLogoutMs: 2_000,
  /** SIGTERM: the relay closes sockets, logs out of IMAP and closes the store within this time, or exits anyway. */
  relayShutdownMs: 5_000,
  /**
   * How often the relay checks the store for changes made by the CLI. A watch on the store file
   * reports them at once; this poll is the fallback where fs.watch is not reliable (network disks).
   */
  storePollMs: 5_000,
  /** A lazily opened IMAP command connection closes after this much idle time. */
  commandConnectionIdleMs: 3 * 60_000,
  /**
   * A client that lets this much unsent data pile up (never reads) is disconnected. One largest
   * frame (a 2 MiB body part as base64 in JSON, ~2.8 MiB) must fit; 8 MiB of tiny frames cost the
   * relay ~140 MB in per-write overhead (issue 12), so the cap is low and the reading stops first.
   */
  maxSocketBufferedBytes: 4 * 1024 * 1024,
  /**
   * Past this much unsent data the relay stops reading the socket's frames (TCP backpressure
   * reaches the client) until it drains; a flood of requests cannot pile up replies.
   */
  socketPauseBufferedBytes: 64 * 1024,
  /**
   * Frames over the rate a socket may send (refused, at most 100 a second on average) before it
   * is closed with 1008: a client that keeps flooding is broken or hostile, and dropping its
   * frames one by one still costs the relay a parse each.
   */
  socketRefusedFramesMax: 1_000,
  /** A socket that stays over socketPauseBufferedBytes this long is not reading: it is cut off. */
  slowSocketTimeoutMs: 10_000,
  /**
   * Open signed-in sockets per device. A browser profile holds one; a few more cover a reconnect
   * while the old socket is still timing out. More means a leak or abuse of a stolen token.
   */
  maxSocketsPerDevice: 8,
  /** One autoconfig HTTP fetch (Mozilla config-v1.1.xml) must finish within this time. */
  autoconfigTimeoutMs: 5_000,
  /** Largest autoconfig XML read; real files are 1–5 KB, so this bounds a hostile server. */
  autoconfigMaxBytes: 64 * 1024,
  /** HTTPS redirects followed per autoconfig URL (hosting providers often redirect once). */
  autoconfigMaxRedirects: 3,
  /** Deepest element nesting the autoconfig XML parser accepts (real files nest 4 deep). */
  xmlMaxDepth: 16,
  /** One DNS query (SRV for discovery, A/AAAA for diagnosis) must finish within this time. */
  dnsTimeoutMs: 5_000,
  /**
   * Connection tests (accounts.diagnose/add/update) per user per minute (also the burst): a person
   * tries a few settings; a scanner wants thousands (it had 20 a second before issue 12).
   */
  diagnosesPerMinute: 30,
  /** Connection tests of one user running at once. */
  diagnosesConcurrentPerUser: 2,
  /** A server certificate that expires sooner than this gets a warning in the diagnosis. */
  certificateExpiryWarnMs: 14 * 24 * 3_600_000,
  /** QUOTA (RFC 9208) is re-read at most this often: usage changes slowly and GETQUOTAROOT is not free. */
  quotaRefreshMinMs: 60_000,
  /**
   * Extension cache (IndexedDB): rows kept per list scope. The popup shows ~10 rows at once and
   * pages 50 at a time; 200 covers a few screens of scrolling on open without unbounded storage.
   */
  cacheRowsPerScope: 200,
  /** List scopes cached (least recently used dropped): the inboxes plus a few folders. */
  cacheScopes: 30,
  /** Message bodies cached (least recently used dropped): "the last few opened" reopen instantly. */
  cacheBodies: 20,
  /** Queued actions kept while the relay is unreachable; beyond this new actions are refused. */
  outboxMaxEntries: 500,
  /** Attempts of an action the relay answered with a retryable code before it is rolled back. */
  outboxMaxAttempts: 3,
  /**
   * A popup request that arrives while the worker is still connecting (it was just woken) waits
   * this long for the socket instead of failing at once; `hello` takes a few ms on a good link.
   */
  relayConnectWaitMs: 5_000,
  /** Longest link the popup asks the background to open (browsers cap URLs near 2 MB; mail links are short). */
  maxLinkLength: 8_192,
  /**
   * Message keys the extension remembers for the badge's "new since the popup was last opened"
   * mode; past this the oldest are dropped (the badge shows 999+ long before, and storage.session
   * is small: 10 MB for the whole extension).
   */
  badgeNewMailMax: 2_000,
  /** New-mail notifications of one account within this window are merged into one ("5 new messages"). */
  notificationCoalesceMs: 2_000,
  /** Message ids one notification keeps for its buttons (Mark as read / Archive act on all of them). */
  notificationMaxMessages: 500,
  /**
   * Bytes of the first text part fetched for a list row's preview (`BODY.PEEK[1]<0.2048>`): a
   * line of text needs far less, and a fixed partial fetch keeps a page of rows O(page).
   */
  previewFetchBytes: 2_048,
  /** Characters of preview text per row (the wire schema allows 300). */
  previewMaxChars: 200,
  /**
   * New rows one `message.new` event carries at most (e.g. mail that arrived while the watcher
   * was reconnecting); the newest are sent, and the count still comes from STATUS.
   */
  newMessageRowsMax: 100,
  /**
   * List rows' immutable parts (envelope, preview…) kept per account while its command connection
   * is open, so a page listed again costs one FETCH of flags; ~1 KB each.
   */
  rowCacheMax: 500,
  /**
   * Messages per account whose last published flag change the relay remembers by its CONDSTORE
   * modseq, so an older state reported late (IDLE lags a STORE by ~0.5 s) is not published after
   * a newer one; ~100 bytes each, held only for messages whose flags changed.
   */
  flagOrderMax: 2_000,
  /**
   * `messages.action` ids remembered per account for idempotent replays (outbox after reconnect),
   * in the store, so a replay after a relay crash answers like the first run.
   */
  actionJournalMax: 1_000,
  /**
   * …and for this long. The extension's outbox replays within seconds to minutes, but an outbox
   * filled while the relay was down for a night replays the next morning.
   */
  actionJournalTtlMs: 24 * 3_600_000,
  /**
   * A request waits at most this long for the account's command connection (its mailbox lock);
   * longer means a stuck server, and the popup should hear TIMEOUT rather than spin.
   */
  commandLockTimeoutMs: 30_000,
  /** Longest attachment file name sent in Content-Disposition (after sanitising). */
  attachmentFilenameMaxChars: 200,
  /** One request to an OAuth2 token or device endpoint must finish within this time. */
  oauthRequestTimeoutMs: 15_000,
  /**
   * An access token is refreshed before a login when less than this is left of it (or a quarter
   * of its lifetime, whichever is less), so a login never races the token's expiry.
   */
  oauthRefreshMarginMs: 2 * 60_000,
  /** An authorization-code flow must be redeemed this soon after it started (codes live minutes). */
  oauthFlowTtlMs: 10 * 60_000,
  /** Sign-in flows one user may have open at once; more cancels the oldest. */
  oauthFlowsPerUser: 4,
  /** Largest token endpoint response read; real ones are a few KB. */
  oauthMaxResponseBytes: 64 * 1024,
  /** Longest account display name / mailbox path accepted. */
  maxNameLength: 200,
  maxMailboxPathLength: 1_000,
  /** `mailbox.markAllRead`: UIDs per `UID STORE` command (a bounded command line). */
  markAllReadChunk: 1_000,
  /**
   * `mailbox.markAllRead` answers with the UIDs it marked (for undo) up to this many; a folder
   * with more unread messages is marked read without undo (the popup says so before).
   */
  markAllReadUndoMax: 5_000,
} as const;
