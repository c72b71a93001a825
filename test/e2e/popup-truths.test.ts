// Issue 8, "small truths in the popup", in real Chromium (Spanish UI) with the real relay and a
// private Dovecot: undo puts an archived message back at its date with the focus on it (also
// after the relay lists it first, by its new UID); the unread total and the list's total follow
// marking read, archiving and undo; and "reunion" finds "Reunión" though Dovecot's SEARCH keeps
// accents (test/integration/search-matching.test.ts).
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { locate, seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

let world: PopupWorld;
let popup: Page;

/** The INBOX, oldest first; seedMessages dates them one minute apart. */
const INBOX = [
  { subject: 'Acta semanal', from: 'Marta Ruiz <marta@ejemplo.es>', text: 'Lo hablado en la reunión de ayer.' },
  { subject: 'Reunión del lunes', from: 'Iñigo Muñoz <inigo@ejemplo.es>', text: 'Nos vemos a las diez.' },
  { subject: 'Factura de marzo', from: 'Facturas <facturas@ejemplo.es>', text: 'Adjuntamos la factura.', read: true },
  { subject: 'Cifras del trimestre', from: 'Ana Costa <ana@ejemplo.es>', text: 'Las cifras, por fin.' },
  { subject: 'Léeme para el total', from: 'Tom Becker <tom@ejemplo.es>', text: 'Una cosa.' },
  { subject: 'Archívame para el total', from: 'Tom Becker <tom@ejemplo.es>', text: 'Otra cosa.' },
  { subject: 'Hola de nuevo', from: 'Sam Okafor <sam@ejemplo.es>', text: 'Qué tal.', read: true },
];
/** Newest first: the date order the list must show. */
const BY_DATE = INBOX.map((m) => m.subject).reverse();

beforeAll(async () => {
  world = await startPopupWorld({
    accounts: ['Trabajo'],
    launch: { lang: 'es' },
    seed: async (dovecot, [work]) => {
      await seedMessages(
        dovecot,
        work!,
        INBOX.map(({ read, ...m }) => ({ ...m, flags: read ? ['\\Seen'] : [] })),
      );
    },
  });
  // Tall enough that every row is rendered (the list is virtualized).
  popup = await world.openPopup({ height: 1000, query: '?layout=fluid' });
  await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await world?.close();
});

beforeEach(async () => {
  if ((await popup.getByTestId('search-clear').count()) > 0) await popup.getByTestId('search-clear').click();
  await poll(() => subjects()).toEqual(expect.arrayContaining(BY_DATE));
});

const poll = <T>(fn: () => Promise<T> | T, timeout = 8_000) => expect.poll(fn, { timeout, interval: 50 });

function row(subject: string): Locator {
  return popup
    .getByTestId('message-row')
    .filter({ has: popup.getByTestId('row-subject').getByText(subject, { exact: true }) });
}

/** The rows' subjects in list order. */
async function subjects(page: Page = popup): Promise<string[]> {
  const rows = await page.getByTestId('message-row').evaluateAll((els) =>
    els.map((el) => ({
      subject: el.querySelector('[data-testid=row-subject]')?.textContent ?? '',
      index: Number(el.getAttribute('data-index')),
    })),
  );
  return rows.sort((a, b) => a.index - b.index).map((r) => r.subject);
}

async function activeSubject(page: Page = popup): Promise<string | null> {
  const active = page.locator('[data-testid=message-row][data-active=true] [data-testid=row-subject]');
  return (await active.count()) === 1 ? await active.textContent() : null;
}

/** Focus a row without opening it: tick it (focus + select), untick with x. */
async function focusRow(subject: string): Promise<void> {
  await row(subject).getByTestId('row-select').click();
  await poll(() => row(subject).getAttribute('data-active')).toBe('true');
  await popup.keyboard.press('x');
  await poll(() => row(subject).getAttribute('data-selected')).toBe('false');
}

async function serverMailbox(subject: string): Promise<string | null> {
  const found = await locate(world.dovecot, world.accounts[0].user, subject);
  return found.length === 1 ? found[0]!.mailbox : null;
}

/** The unread total in the account menu ("Todas las bandejas (N)"), 0 when it shows none. */
async function unreadTotal(): Promise<number> {
  const text = await popup.getByTestId('account-switcher').locator('option').first().textContent();
  return Number(/\((\d+)\)$/.exec(text ?? '')?.[1] ?? 0);
}

/** The list's total in the header ("Todas las bandejas · N"). */
async function listTotal(): Promise<number> {
  const text = await popup.getByTestId('list-title').textContent();
  return Number(/·\s*(\d+)/.exec(text ?? '')?.[1] ?? 0);
}

describe('undo puts a message back where it was', () => {
  it('archived from the middle and undone: back at its date, focused, also after a fresh load', async () => {
    expect(await subjects()).toEqual(BY_DATE);
    await focusRow('Cifras del trimestre');
    await popup.keyboard.press('e');
    await poll(() => row('Cifras del trimestre').count()).toBe(0);
    // The focus went to the neighbour, as mail apps do.
    expect(await activeSubject()).toBe('Factura de marzo');
    await poll(() => serverMailbox('Cifras del trimestre')).toBe('Archive');
    await popup.keyboard.press('z');
    await poll(() => subjects()).toEqual(BY_DATE);
    expect(await activeSubject()).toBe('Cifras del trimestre');
    // Moved back, it has a new (highest) UID in INBOX: the row takes it and keeps its place and focus.
    await poll(() => serverMailbox('Cifras del trimestre')).toBe('INBOX');
    await popup.waitForTimeout(1_000);
    expect(await subjects()).toEqual(BY_DATE);
    expect(await activeSubject()).toBe('Cifras del trimestre');
    // A fresh popup lists it from the relay, which pages by UID (it comes first there): still by date.
    const fresh = await world.openPopup({ height: 1000, query: '?layout=fluid' });
    try {
      await fresh.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
      await poll(() => subjects(fresh)).toEqual(BY_DATE);
    } finally {
      await fresh.close();
    }
  });
});

describe('totals follow actions', () => {
  it('the unread total drops on marking read and on archiving an unread message; undo brings it back', async () => {
    await poll(() => unreadTotal()).toBeGreaterThan(0);
    const unread = await unreadTotal();
    const total = await listTotal();
    expect(total).toBe(INBOX.length);
    await focusRow('Léeme para el total');
    await popup.keyboard.press('Shift+I');
    await poll(() => unreadTotal()).toBe(unread - 1);
    expect(await listTotal()).toBe(total);
    await focusRow('Archívame para el total');
    await popup.keyboard.press('e');
    await poll(() => unreadTotal()).toBe(unread - 2);
    await poll(() => listTotal()).toBe(total - 1);
    await poll(() => serverMailbox('Archívame para el total')).toBe('Archive');
    await popup.keyboard.press('z');
    await poll(() => unreadTotal()).toBe(unread - 1);
    await poll(() => listTotal()).toBe(total);
    // Once the server and the relay's counts have caught up, nothing is counted twice.
    await poll(() => serverMailbox('Archívame para el total')).toBe('INBOX');
    await popup.waitForTimeout(1_500);
    expect(await unreadTotal()).toBe(unread - 1);
    expect(await listTotal()).toBe(total);
  });
});

describe('folder counts follow actions', () => {
  /** The unread count the folder picker shows for `path` (0 when it shows none). */
  async function folderUnread(path: string): Promise<number> {
    await popup.getByTestId('folder-picker').click();
    const option = popup.locator(`[data-testid=folder-option][data-path="${path}"]`);
    await option.waitFor();
    const text = (await option.textContent()) ?? '';
    await popup.keyboard.press('Escape');
    await popup.getByTestId('folder-popover').waitFor({ state: 'detached' });
    return Number(/(\d+)\s*$/.exec(text.trim())?.[1] ?? 0);
  }

  it('INBOX (live counts) and Archive (loaded once) change with mark unread, archive and undo', async () => {
    await popup.getByTestId('account-switcher').selectOption(world.accounts[0].id);
    await poll(() => subjects()).toEqual(BY_DATE);
    const inbox = await folderUnread('INBOX');
    const archive = await folderUnread('Archive');
    expect(inbox).toBeGreaterThan(0);
    await focusRow('Factura de marzo');
    await popup.keyboard.press('Shift+U');
    await poll(() => folderUnread('INBOX')).toBe(inbox + 1);
    await focusRow('Factura de marzo');
    await popup.keyboard.press('e');
    await poll(() => folderUnread('INBOX')).toBe(inbox);
    await poll(() => folderUnread('Archive')).toBe(archive + 1);
    await poll(() => serverMailbox('Factura de marzo')).toBe('Archive');
    await popup.keyboard.press('z');
    await poll(() => folderUnread('INBOX')).toBe(inbox + 1);
    await poll(() => folderUnread('Archive')).toBe(archive);
    await poll(() => serverMailbox('Factura de marzo')).toBe('INBOX');
    await popup.waitForTimeout(1_500);
    expect(await folderUnread('INBOX')).toBe(inbox + 1);
    await popup.getByTestId('account-switcher').selectOption('');
  });
});

describe('search in Spanish mail', () => {
  async function search(text: string): Promise<void> {
    const field = popup.getByTestId('search-input');
    await field.fill(text);
    await field.press('Enter');
  }

  it('"reunion" finds "Reunión" in the subject and "reunión" in the preview, though the server does not', async () => {
    await search('reunion');
    await poll(() => subjects()).toEqual(['Reunión del lunes', 'Acta semanal']);
    // The server's search (nothing found: Dovecot keeps accents) answers within this; the local results stay.
    await popup.waitForTimeout(1_500);
    expect(await subjects()).toEqual(['Reunión del lunes', 'Acta semanal']);
  });

  it('"munoz" finds Iñigo Muñoz; "reunión" (which the server matches too) lists each message once', async () => {
    await search('munoz');
    await poll(() => subjects()).toEqual(['Reunión del lunes']);
    await search('reunión');
    await poll(() => subjects()).toEqual(['Reunión del lunes', 'Acta semanal']);
    await popup.waitForTimeout(1_000);
    expect(await subjects()).toEqual(['Reunión del lunes', 'Acta semanal']);
  });
});
