import { Limits } from '../../../shared/index.js';

/**
 * The IMAP deadlines and intervals of one relay (issue 8). Defaults come from shared/limits.ts;
 * `relay start` takes overrides from the environment (tests set seconds), see config.ts.
 */
export interface ImapTimings {
  /** Deadline of every IMAP command and of every request's stay on the command connection. */
  commandTimeoutMs: number;
  /**
   * A watcher that heard nothing, or re-read nothing, this long probes the server with DONE +
   * NOOP and then re-checks its folders (pushes lost on a link that dropped bytes).
   */
  idleProbeMs: number;
  /** The probe's NOOP must be answered within this. */
  idleProbeTimeoutMs: number;
  /** Watched folders other than the IDLE one are refreshed with STATUS this often. */
  folderPollMs: number;
  /** While unreachable and watched, a TCP connect is tried this often to notice the server's return. */
  reachabilityProbeMs: number;
  /** Connect + TLS + greeting + login deadline. */
  connectTimeoutMs: number;
}

export const DEFAULT_IMAP_TIMINGS: ImapTimings = {
  commandTimeoutMs: Limits.imapCommandTimeoutMs,
  idleProbeMs: Limits.idleProbeMs,
  idleProbeTimeoutMs: Limits.idleProbeTimeoutMs,
  folderPollMs: Limits.folderPollMs,
  reachabilityProbeMs: Limits.imapReachabilityProbeMs,
  connectTimeoutMs: Limits.imapConnectTimeoutMs,
};
