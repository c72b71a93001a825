/**
 * Attachment names as the browser's downloads API accepts them. Mail names are hostile and
 * careless: paths (`C:\Users\Public\evil.lnk`), Windows device names (`CON`), invisible format
 * characters, bidi overrides that flip the shown extension, and extensions the OS runs through the
 * shell. Chromium refuses many of these with "Invalid filename" (net::IsSafePortablePathComponent,
 * filename_util.cc), which users then saw as a server error. So the name is made portable here,
 * keeping the real extension visible, and the caller is told when it changed.
 */

/** Bounded well under every file system's 255-byte component limit (UTF-8 names grow). */
const MAX_LENGTH = 150;

/**
 * Windows device names, refused as a file's base name whatever the extension (`con.txt` too).
 * Chromium refuses them on every platform, so a download is portable.
 */
const RESERVED_BASE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)$/i;

/** Extensions Windows resolves through the shell (Chromium's IsShellIntegratedExtension). */
const SHELL_EXTENSIONS = new Set(['lnk', 'local', 'url', 'scf', 'pif', 'desktop']);

export interface SafeName {
  filename: string;
  /** True when the name the mail gave had to change. */
  changed: boolean;
}

/**
 * The name to save an attachment under: no folders, no control, format or reserved characters,
 * not a device name, no shell-integrated extension, bounded length, extension kept.
 *
 * @example safeFilename('C:\\Users\\Public\\evil.lnk') // { filename: 'C__Users_Public_evil.lnk.download', changed: true }
 */
export function safeFilename(name: string): SafeName {
  let cleaned = name
    .normalize('NFC')
    // Format characters: zero-width spaces and joiners, bidi overrides that hide the real
    // extension ("gnp.exe" shown as "exe.png"), BOMs.
    .replace(/\p{Cf}/gu, '')
    // Controls, separators and characters reserved on Windows; `~` starts 8.3 short names.
    .replace(/[\p{Cc}\p{Zl}\p{Zp}<>:"/\\|?*~]/gu, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');

  const dot = cleaned.lastIndexOf('.');
  let base = dot > 0 ? cleaned.slice(0, dot) : cleaned;
  let ext = dot > 0 ? cleaned.slice(dot + 1) : '';
  // A long "extension" is a name with a dot in it, not an extension to keep (CLSIDs aside).
  if (ext.length > 16 && !/^\{[0-9a-f-]+\}$/i.test(ext)) {
    base = cleaned;
    ext = '';
  }
  if (RESERVED_BASE.test(base.split('.')[0] ?? '')) base = `_${base}`;
  if (SHELL_EXTENSIONS.has(ext.toLowerCase()) || /^\{[0-9a-f-]+\}$/i.test(ext)) {
    // Kept visible, but saved as a plain file the shell will not resolve.
    base = `${base}.${ext}`;
    ext = 'download';
  }
  const room = MAX_LENGTH - (ext ? ext.length + 1 : 0);
  if ([...base].length > room)
    base = [...base]
      .slice(0, room)
      .join('')
      .replace(/[.\s]+$/, '');
  if (base === '') base = 'attachment';
  cleaned = ext ? `${base}.${ext}` : base;
  return { filename: cleaned, changed: cleaned !== name };
}
