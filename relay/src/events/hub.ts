import { Limits, type EventPayload, type EventType, type ServerEvent } from '../../../shared/index.js';

export type EventListener = (event: ServerEvent) => void;

interface UserChannel {
  seq: number;
  buffer: ServerEvent[];
  listeners: Set<EventListener>;
}

/**
 * Per-user event stream with a monotonically increasing `seq` and a bounded replay buffer, so a
 * service worker that slept resumes from its last seq — or is told to resync when the gap is older
 * than the buffer. Seqs start at the relay's start time in ms, so a client's seq from before a
 * relay restart is always older than the new buffer and leads to a resync, never to a mix-up.
 */
export class EventHub {
  readonly #channels = new Map<string, UserChannel>();
  readonly #initialSeq: number;
  readonly #capacity: number;

  constructor(options: { initialSeq?: number; capacity?: number } = {}) {
    this.#initialSeq = options.initialSeq ?? Date.now();
    this.#capacity = options.capacity ?? Limits.replayBufferEvents;
  }

  #channel(userId: string): UserChannel {
    let ch = this.#channels.get(userId);
    if (!ch) {
      ch = { seq: this.#initialSeq, buffer: [], listeners: new Set() };
      this.#channels.set(userId, ch);
    }
    return ch;
  }

  /** Whether any socket of the user is subscribed (a browser is watching: recover fast). */
  hasListeners(userId: string): boolean {
    return (this.#channels.get(userId)?.listeners.size ?? 0) > 0;
  }

  currentSeq(userId: string): number {
    return this.#channel(userId).seq;
  }

  publish<T extends EventType>(userId: string, event: T, payload: EventPayload<T>): ServerEvent {
    const ch = this.#channel(userId);
    ch.seq += 1;
    const frame = { event, seq: ch.seq, payload } as ServerEvent;
    ch.buffer.push(frame);
    if (ch.buffer.length > this.#capacity) ch.buffer.splice(0, ch.buffer.length - this.#capacity);
    for (const listener of ch.listeners) listener(frame);
    return frame;
  }

  /**
   * Subscribes to a user's events. `replay` holds the buffered events after `lastSeq`, or is
   * empty with `resync: true` when they are no longer all available (or `lastSeq` is null).
   */
  subscribe(
    userId: string,
    lastSeq: number | null,
    listener: EventListener,
  ): { seq: number; resync: boolean; replay: ServerEvent[]; unsubscribe: () => void } {
    const ch = this.#channel(userId);
    ch.listeners.add(listener);
    const unsubscribe = () => void ch.listeners.delete(listener);
    if (lastSeq === null || lastSeq > ch.seq) return { seq: ch.seq, resync: true, replay: [], unsubscribe };
    const oldest = ch.buffer[0]?.seq ?? ch.seq + 1;
    // Events lastSeq+1 .. seq must all be in the buffer.
    if (lastSeq + 1 < oldest && lastSeq !== ch.seq) return { seq: ch.seq, resync: true, replay: [], unsubscribe };
    return { seq: ch.seq, resync: false, replay: ch.buffer.filter((e) => e.seq > lastSeq), unsubscribe };
  }
}
