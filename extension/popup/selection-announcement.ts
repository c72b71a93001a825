/**
 * What the live region says when the selection changes (Space or `x` on a row, Ctrl+A, the
 * toolbar's checkbox, Esc): screen readers hear the row's new state and how many are selected,
 * because `aria-selected` alone is only read when the row is next focused. Pure.
 */
import type { Translate } from '../i18n/i18n.js';

/**
 * @example
 * announceSelection(new Set(), new Set(['a']), t, String); // "Selected, 1 selected"
 */
export function announceSelection(
  prev: ReadonlySet<string>,
  next: ReadonlySet<string>,
  t: Translate,
  formatNumber: (n: number) => string,
): string | null {
  const added = [...next].filter((k) => !prev.has(k)).length;
  const removed = [...prev].filter((k) => !next.has(k)).length;
  if (added === 0 && removed === 0) return null;
  const count = formatNumber(next.size);
  if (next.size === 0)
    return removed === 1 ? t('popup_announceDeselected', count) : t('popup_announceSelectionCleared');
  if (added === 1 && removed === 0) return t('popup_announceSelected', count);
  if (removed === 1 && added === 0) return t('popup_announceDeselected', count);
  return t('popup_announceSelectedCount', count);
}
