/**
 * Svelte attachment: focuses the element when it appears. Used for the inline confirmation steps
 * (remove account, revoke device), which replace the button that opened them, so keyboard and
 * screen-reader users land on the question instead of losing focus to the page.
 */
export function focusOnMount(element: HTMLElement): void {
  element.focus();
}
