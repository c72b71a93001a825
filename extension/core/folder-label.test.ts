import { describe, expect, it } from 'vitest';
import type { MailboxInfo } from '../../shared/index.js';
import { testTranslator } from '../testing/translator.js';
import { folderLabel, folderLabelOfPath } from './folder-label.js';

const box = (path: string, role: MailboxInfo['role'], name = path.split('/').pop() ?? path): MailboxInfo => ({
  path,
  name,
  delimiter: '/',
  parent: null,
  role,
  unread: 0,
  total: 0,
  subscribed: true,
  selectable: true,
});

describe('folderLabel', () => {
  it('names special-use folders in the UI language, INBOX included', () => {
    const es = testTranslator('es');
    expect(folderLabel(box('INBOX', null), es)).toBe('Bandeja de entrada');
    expect(folderLabel(box('[Gmail]/Sent Mail', 'sent'), es)).toBe('Enviados');
    expect(folderLabel(box('INBOX.Trash', 'trash', 'Trash'), es)).toBe('Papelera');
    expect(folderLabel(box('INBOX', null), testTranslator('en'))).toBe('Inbox');
  });

  it('keeps other folders’ own names', () => {
    expect(folderLabel(box('Projects/Reunión', null), testTranslator('es'))).toBe('Reunión');
  });

  it('labels a bare path through the folder list when it has it', () => {
    const en = testTranslator('en');
    expect(folderLabelOfPath('Archive', [box('Archive', 'archive')], en)).toBe('Archive');
    expect(folderLabelOfPath('Ablage', [box('Ablage', 'archive')], en)).toBe('Archive');
    expect(folderLabelOfPath('inbox', null, en)).toBe('Inbox');
    expect(folderLabelOfPath('Work', null, en)).toBe('Work');
  });
});
