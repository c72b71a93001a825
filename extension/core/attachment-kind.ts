/**
 * What kind of file an attachment is, for a human label and an icon instead of a raw MIME type.
 * The declared Content-Type decides first; a generic one (application/octet-stream, missing) falls
 * back to the file name's extension. Pure: no DOM, no browser.*.
 */

/** Every kind; each has a `message_kind_<kind>` string. */
export const ATTACHMENT_KINDS = [
  'pdf',
  'word',
  'spreadsheet',
  'presentation',
  'image',
  'zip',
  'archive',
  'text',
  'calendar',
  'audio',
  'video',
  'email',
  'file',
] as const;

export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

const BY_TYPE: Record<string, AttachmentKind> = {
  'application/pdf': 'pdf',
  'application/msword': 'word',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'word',
  'application/vnd.oasis.opendocument.text': 'word',
  'application/rtf': 'word',
  'application/vnd.ms-excel': 'spreadsheet',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet': 'spreadsheet',
  'text/csv': 'spreadsheet',
  'application/vnd.ms-powerpoint': 'presentation',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'presentation',
  'application/vnd.oasis.opendocument.presentation': 'presentation',
  'application/zip': 'zip',
  'application/x-zip-compressed': 'zip',
  'application/gzip': 'archive',
  'application/x-gzip': 'archive',
  'application/x-tar': 'archive',
  'application/x-7z-compressed': 'archive',
  'application/vnd.rar': 'archive',
  'application/x-rar-compressed': 'archive',
  'text/calendar': 'calendar',
  'message/rfc822': 'email',
};

const BY_EXTENSION: Record<string, AttachmentKind> = {
  pdf: 'pdf',
  doc: 'word',
  docx: 'word',
  odt: 'word',
  rtf: 'word',
  xls: 'spreadsheet',
  xlsx: 'spreadsheet',
  ods: 'spreadsheet',
  csv: 'spreadsheet',
  ppt: 'presentation',
  pptx: 'presentation',
  odp: 'presentation',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  gif: 'image',
  webp: 'image',
  heic: 'image',
  svg: 'image',
  zip: 'zip',
  gz: 'archive',
  tgz: 'archive',
  tar: 'archive',
  '7z': 'archive',
  rar: 'archive',
  txt: 'text',
  md: 'text',
  ics: 'calendar',
  eml: 'email',
  mp3: 'audio',
  wav: 'audio',
  ogg: 'audio',
  m4a: 'audio',
  mp4: 'video',
  mov: 'video',
  webm: 'video',
};

/** The kind of an attachment from its declared Content-Type and, when that says nothing, its name. */
export function attachmentKind(contentType: string, filename: string): AttachmentKind {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const known = BY_TYPE[type];
  if (known) return known;
  const top = type.split('/')[0];
  if (top === 'image') return 'image';
  if (top === 'audio') return 'audio';
  if (top === 'video') return 'video';
  if (top === 'text' && type !== 'text/html') return 'text';
  const dot = filename.lastIndexOf('.');
  const extension =
    dot >= 0
      ? filename
          .slice(dot + 1)
          .trim()
          .toLowerCase()
      : '';
  return Object.hasOwn(BY_EXTENSION, extension) ? BY_EXTENSION[extension]! : 'file';
}
