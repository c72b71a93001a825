/**
 * What a scroll key does to a scroll box, as the new `scrollTop`: the message frame cannot scroll
 * itself (it is as tall as its content), so MessageFrame applies the keys the user presses inside
 * it to the box around it, as the browser would.
 */

/** A line for the arrows, as browsers scroll it. */
export const LINE_PX = 40;

export interface ScrollBox {
  scrollTop: number;
  clientHeight: number;
  scrollHeight: number;
}

/**
 * The new scrollTop for a scroll key (arrows, Space/Shift+Space, PageUp/PageDown, Home/End), or
 * null for any other key. A page keeps one line of overlap, as browsers do.
 *
 * @example scrollTarget({ key: 'PageDown', shiftKey: false }, { scrollTop: 0, clientHeight: 400, scrollHeight: 2000 }) // 360
 */
export function scrollTarget(input: { key: string; shiftKey: boolean }, box: ScrollBox): number | null {
  const page = Math.max(LINE_PX, box.clientHeight - LINE_PX);
  const max = Math.max(0, box.scrollHeight - box.clientHeight);
  let delta: number;
  switch (input.key) {
    case 'ArrowDown':
      delta = LINE_PX;
      break;
    case 'ArrowUp':
      delta = -LINE_PX;
      break;
    case 'PageDown':
      delta = page;
      break;
    case 'PageUp':
      delta = -page;
      break;
    case ' ':
      delta = input.shiftKey ? -page : page;
      break;
    case 'Home':
      return 0;
    case 'End':
      return max;
    default:
      return null;
  }
  return Math.min(max, Math.max(0, box.scrollTop + delta));
}
