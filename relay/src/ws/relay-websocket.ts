import { WebSocket } from 'ws';
import { CloseCode, Limits, type WireError } from '../../../shared/index.js';

/**
 * The server-side socket class handed to `WebSocketServer({ WebSocket })`. `ws` rejects a frame
 * over `maxPayload` from its header alone and closes with 1009 before any listener sees it;
 * README.md promises a `FRAME_TOO_LARGE` error frame first, so the client can tell the user why.
 * Overriding `close` is the one hook `ws` offers at that moment (its receiver calls
 * `websocket.close(1009)` while the socket is still OPEN, so the frame goes out ahead of the close).
 */
export class RelayWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (code === CloseCode.TOO_BIG && this.readyState === WebSocket.OPEN) {
      const error: WireError = {
        code: 'FRAME_TOO_LARGE',
        message: `frame exceeds ${Limits.maxClientFrameBytes} bytes`,
      };
      this.send(JSON.stringify({ id: null, error }));
    }
    super.close(code, data);
  }
}
