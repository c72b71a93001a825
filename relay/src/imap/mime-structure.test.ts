import type { MessageStructureObject } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { attachmentsOf, bestTextPart, findPart, hasAttachments, previewPart } from './mime-structure.js';

const leaf = (part: string, type: string, extra: Partial<MessageStructureObject> = {}): MessageStructureObject => ({
  part,
  type,
  encoding: '7bit',
  size: 100,
  ...extra,
});

const mixed: MessageStructureObject = {
  type: 'multipart/mixed',
  childNodes: [
    {
      part: '1',
      type: 'multipart/alternative',
      childNodes: [
        leaf('1.1', 'text/plain'),
        {
          part: '1.2',
          type: 'multipart/related',
          childNodes: [
            leaf('1.2.1', 'text/html'),
            leaf('1.2.2', 'image/png', { id: '<logo@x>', disposition: 'inline', encoding: 'base64', size: 780 }),
          ],
        },
      ],
    },
    leaf('2', 'application/pdf', {
      disposition: 'attachment',
      dispositionParameters: { filename: 'Größe.pdf' },
      encoding: 'base64',
      size: 7800,
    }),
    leaf('3', 'message/rfc822', { childNodes: [leaf('3.1', 'text/plain')] }),
  ],
};

describe('BODYSTRUCTURE reading', () => {
  it('prefers HTML for the body and plain text for the preview', () => {
    expect(bestTextPart(mixed)?.partId).toBe('1.2.1');
    expect(bestTextPart(mixed)?.kind).toBe('html');
    expect(previewPart(mixed)?.partId).toBe('1.1');
  });

  it('treats a single-part message as part 1', () => {
    const single = { type: 'text/plain', encoding: 'quoted-printable', size: 10 };
    expect(bestTextPart(single)).toMatchObject({ partId: '1', kind: 'text' });
    expect(findPart(single, '1')).toBe(single);
  });

  it('lists attachments, inline cid images and attached messages without descending into them', () => {
    expect(attachmentsOf(mixed)).toEqual([
      {
        partId: '1.2.2',
        filename: 'part-1.2.2.png',
        contentType: 'image/png',
        size: 570,
        inline: true,
        contentId: 'logo@x',
      },
      {
        partId: '2',
        filename: 'Größe.pdf',
        contentType: 'application/pdf',
        size: 5700,
        inline: false,
        contentId: null,
      },
      { partId: '3', filename: 'part-3.eml', contentType: 'message/rfc822', size: 100, inline: false, contentId: null },
    ]);
    expect(hasAttachments(mixed)).toBe(true);
    // A multipart container is found, but is not a leaf to fetch.
    expect(findPart(mixed, '1')?.type).toBe('multipart/alternative');
    expect(findPart(mixed, '2')?.type).toBe('application/pdf');
    expect(findPart(mixed, '3.1')).toBeNull();
  });

  it('does not count an inline cid image alone as an attachment, nor a text attachment as the body', () => {
    const related: MessageStructureObject = {
      type: 'multipart/related',
      childNodes: [leaf('1', 'text/html'), leaf('2', 'image/gif', { id: '<a@b>' })],
    };
    expect(hasAttachments(related)).toBe(false);
    const textFile: MessageStructureObject = {
      type: 'multipart/mixed',
      childNodes: [
        leaf('1', 'text/plain', { disposition: 'attachment', dispositionParameters: { filename: 'notes.txt' } }),
        leaf('2', 'text/plain'),
      ],
    };
    expect(bestTextPart(textFile)?.partId).toBe('2');
    expect(attachmentsOf(textFile).map((a) => a.filename)).toEqual(['notes.txt']);
  });

  it('stops at Limits.mimeMaxDepth', () => {
    let node: MessageStructureObject = leaf('x', 'text/plain');
    for (let i = 0; i < 10_000; i++) node = { type: 'multipart/mixed', childNodes: [node] };
    expect(bestTextPart(node)).toBeNull();
    expect(attachmentsOf(node)).toEqual([]);
  });
});
