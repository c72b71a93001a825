/** The name of the Port the pages open to the background (messages.ts is what travels on it). */
export const UI_PORT_NAME = 'ui';

/**
 * The part of `browser.runtime.Port` both ends of the UI channel use, so the glue code can be
 * tested with an in-memory pair of ports. A real `Browser.runtime.Port` satisfies it.
 */
export interface PortLike {
  readonly name: string;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}
