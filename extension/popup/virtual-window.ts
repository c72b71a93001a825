/**
 * Which rows of a fixed-height list to render: the visible ones plus `overscan` on each side.
 * The list renders `end - start` rows offset by `start * rowHeight` inside a spacer of
 * `count * rowHeight`, so thousands of rows cost as much as a screenful.
 */
export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  overscan: number;
}

export interface RowWindow {
  /** First rendered index (inclusive). */
  start: number;
  /** Last rendered index (exclusive). */
  end: number;
}

export function rowWindow({ scrollTop, viewportHeight, rowHeight, count, overscan }: WindowInput): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first, count - 1) - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(end, start) };
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement, or null when
 * it already is.
 */
export function scrollToRow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}

/** True when the rendered window is close enough to the end that the next page should load. */
export function nearEnd(window: RowWindow, count: number, threshold: number): boolean {
  return count > 0 && window.end >= count - threshold;
}
