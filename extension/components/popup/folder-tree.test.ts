import { describe, expect, it } from 'vitest';
import type { MailboxInfo } from '../../../shared/index.js';
import { testTranslator } from '../../testing/translator.js';
import { folderEntries } from './folder-tree.js';

const en = testTranslator('en');

const box = (path: string, role: MailboxInfo['role'] = null): MailboxInfo => ({
  path,
  name: path.split('/').at(-1) ?? path,
  delimiter: '/',
  parent: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : null,
  role,
  unread: 0,
  total: 0,
  subscribed: true,
  selectable: true,
});

describe('folderEntries', () => {
  const boxes = [
    box('Projects/Tidings'),
    box('Trash', 'trash'),
    box('Archive', 'archive'),
    box('Projects'),
    box('INBOX'),
    box('Sent', 'sent'),
    box('Junk', 'junk'),
  ];

  it('puts special-use folders first in a fixed order, then the rest by path, indented by depth', () => {
    expect(folderEntries(boxes, en).map((e) => `${'  '.repeat(e.depth)}${e.mailbox.path}:${e.icon}`)).toEqual([
      'INBOX:inbox',
      'Sent:sent',
      'Archive:archive',
      'Junk:junk',
      'Trash:trash',
      'Projects:folder',
      '  Projects/Tidings:folder',
    ]);
  });

  it('filters by name or path, any case (type-ahead)', () => {
    expect(folderEntries(boxes, en, 'tid').map((e) => e.mailbox.path)).toEqual(['Projects/Tidings']);
    expect(folderEntries(boxes, en, 'PROJ').map((e) => [e.mailbox.path, e.depth])).toEqual([
      ['Projects', 0],
      ['Projects/Tidings', 0],
    ]);
    expect(folderEntries(boxes, en, 'nothing')).toEqual([]);
  });

  it('shows special-use folders under their localised name, and finds them by it', () => {
    const es = testTranslator('es');
    expect(folderEntries(boxes, es).map((e) => e.label)).toEqual([
      'Bandeja de entrada',
      'Enviados',
      'Archivo',
      'Correo no deseado',
      'Papelera',
      'Projects',
      'Tidings',
    ]);
    expect(folderEntries(boxes, es, 'bandeja').map((e) => e.mailbox.path)).toEqual(['INBOX']);
  });
});
