/**
 * Stroke icons (24×24, after Lucide, ISC licence) as element descriptions, drawn by Icon.svelte
 * with `drawIcon`: no markup strings anywhere.
 */
type Shape =
  | { tag: 'path'; d: string }
  | { tag: 'rect'; x: number; y: number; width: number; height: number; rx?: number }
  | { tag: 'circle'; cx: number; cy: number; r: number }
  | { tag: 'polyline'; points: string }
  | { tag: 'polygon'; points: string }
  | { tag: 'line'; x1: number; y1: number; x2: number; y2: number };

const p = (d: string): Shape => ({ tag: 'path', d });

export const ICONS = {
  inbox: [
    { tag: 'polyline', points: '22 12 16 12 14 15 10 15 8 12 2 12' },
    p('M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z'),
  ],
  archive: [
    { tag: 'rect', x: 2, y: 3, width: 20, height: 5, rx: 1 },
    p('M4 8v11a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8'),
    p('M10 12h4'),
  ],
  trash: [p('M3 6h18'), p('M19 6v14c0 1-1 2-2 2H7c-1 0-2-1-2-2V6'), p('M8 6V4c0-1 1-2 2-2h4c1 0 2 1 2 2v2')],
  sent: [p('m22 2-7 20-4-9-9-4Z'), p('M22 2 11 13')],
  drafts: [p('M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7Z'), p('M14 2v4a2 2 0 0 0 2 2h4')],
  junk: [
    { tag: 'polygon', points: '7.86 2 16.14 2 22 7.86 22 16.14 16.14 22 7.86 22 2 16.14 2 7.86 7.86 2' },
    { tag: 'line', x1: 12, y1: 8, x2: 12, y2: 12 },
    { tag: 'line', x1: 12, y1: 16, x2: 12.01, y2: 16 },
  ],
  folder: [
    p(
      'M20 20a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-7.9a2 2 0 0 1-1.69-.9L9.6 3.9A2 2 0 0 0 7.93 3H4a2 2 0 0 0-2 2v13a2 2 0 0 0 2 2Z',
    ),
  ],
  move: [
    p(
      'M2 9V5a2 2 0 0 1 2-2h3.9a2 2 0 0 1 1.69.9l.81 1.2a2 2 0 0 0 1.67.9H20a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2v-1',
    ),
    p('M2 13h10'),
    p('m9 16 3-3-3-3'),
  ],
  flag: [p('M4 15s1-1 4-1 5 2 8 2 4-1 4-1V3s-1 1-4 1-5-2-8-2-4 1-4 1z'), { tag: 'line', x1: 4, y1: 22, x2: 4, y2: 15 }],
  star: [
    {
      tag: 'polygon',
      points: '12 2 15.09 8.26 22 9.27 17 14.14 18.18 21.02 12 17.77 5.82 21.02 7 14.14 2 9.27 8.91 8.26 12 2',
    },
  ],
  mail: [{ tag: 'rect', x: 2, y: 4, width: 20, height: 16, rx: 2 }, p('m22 7-8.97 5.7a1.94 1.94 0 0 1-2.06 0L2 7')],
  mailOpen: [
    p('M21.2 8.4c.5.38.8.97.8 1.6v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V10a2 2 0 0 1 .8-1.6l8-6a2 2 0 0 1 2.4 0l8 6Z'),
    p('m22 10-8.97 5.7a1.94 1.94 0 0 1-2.06 0L2 10'),
  ],
  paperclip: [
    p(
      'm21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l8.57-8.57A4 4 0 1 1 18 8.84l-8.59 8.57a2 2 0 0 1-2.83-2.83l8.49-8.48',
    ),
  ],
  search: [{ tag: 'circle', cx: 11, cy: 11, r: 8 }, p('m21 21-4.3-4.3')],
  back: [p('m12 19-7-7 7-7'), p('M19 12H5')],
  external: [p('M15 3h6v6'), p('M10 14 21 3'), p('M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6')],
  settings: [
    { tag: 'line', x1: 4, y1: 21, x2: 4, y2: 14 },
    { tag: 'line', x1: 4, y1: 10, x2: 4, y2: 3 },
    { tag: 'line', x1: 12, y1: 21, x2: 12, y2: 12 },
    { tag: 'line', x1: 12, y1: 8, x2: 12, y2: 3 },
    { tag: 'line', x1: 20, y1: 21, x2: 20, y2: 16 },
    { tag: 'line', x1: 20, y1: 12, x2: 20, y2: 3 },
    { tag: 'line', x1: 2, y1: 14, x2: 6, y2: 14 },
    { tag: 'line', x1: 10, y1: 8, x2: 14, y2: 8 },
    { tag: 'line', x1: 18, y1: 16, x2: 22, y2: 16 },
  ],
  keyboard: [
    { tag: 'rect', x: 2, y: 4, width: 20, height: 16, rx: 2 },
    p('M6 8h.01'),
    p('M10 8h.01'),
    p('M14 8h.01'),
    p('M18 8h.01'),
    p('M8 12h.01'),
    p('M12 12h.01'),
    p('M16 12h.01'),
    p('M7 16h10'),
  ],
  chevronDown: [p('m6 9 6 6 6-6')],
  check: [p('M20 6 9 17l-5-5')],
  close: [p('M18 6 6 18'), p('m6 6 12 12')],
  layers: [
    p('M12.83 2.18a2 2 0 0 0-1.66 0L2.6 6.08a1 1 0 0 0 0 1.83l8.58 3.91a2 2 0 0 0 1.66 0l8.58-3.9a1 1 0 0 0 0-1.83Z'),
    p('m22 17.65-9.17 4.16a2 2 0 0 1-1.66 0L2 17.65'),
    p('m22 12.65-9.17 4.16a2 2 0 0 1-1.66 0L2 12.65'),
  ],
  offline: [
    p('M12 20h.01'),
    p('M8.5 16.43a5 5 0 0 1 7 0'),
    p('M5 12.86a10 10 0 0 1 5.17-2.69'),
    p('M19 12.86a10 10 0 0 0-2-1.52'),
    p('M2 8.82a15 15 0 0 1 4.18-2.64'),
    p('M22 8.82a15 15 0 0 0-11.29-3.76'),
    p('m2 2 20 20'),
  ],
  refresh: [
    p('M3 12a9 9 0 0 1 9-9 9.75 9.75 0 0 1 6.74 2.74L21 8'),
    p('M21 3v5h-5'),
    p('M21 12a9 9 0 0 1-9 9 9.75 9.75 0 0 1-6.74-2.74L3 16'),
    p('M8 16H3v5'),
  ],
  undo: [p('M3 7v6h6'), p('M21 17a9 9 0 0 0-9-9 9 9 0 0 0-6 2.3L3 13')],
  all: [
    p('M22 12h-6l-2 3h-4l-2-3H2'),
    p('M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z'),
    p('M8 8h8'),
  ],
  // File kinds, for attachments (see core/attachment-kind.ts).
  file: [p('M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7Z'), p('M14 2v4a2 2 0 0 0 2 2h4')],
  fileText: [
    p('M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7Z'),
    p('M14 2v4a2 2 0 0 0 2 2h4'),
    p('M10 9H8'),
    p('M16 13H8'),
    p('M16 17H8'),
  ],
  fileSheet: [
    p('M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7Z'),
    p('M14 2v4a2 2 0 0 0 2 2h4'),
    p('M8 13h2'),
    p('M14 13h2'),
    p('M8 17h2'),
    p('M14 17h2'),
  ],
  fileArchive: [
    p('M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7Z'),
    p('M14 2v4a2 2 0 0 0 2 2h4'),
    p('M10 6h2'),
    p('M10 10h2'),
    p('M10 14h2'),
    { tag: 'rect', x: 9, y: 16, width: 4, height: 4, rx: 1 },
  ],
  presentation: [p('M2 3h20'), p('M21 3v11a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V3'), p('m7 21 5-5 5 5')],
  image: [
    { tag: 'rect', x: 3, y: 3, width: 18, height: 18, rx: 2 },
    { tag: 'circle', cx: 9, cy: 9, r: 2 },
    p('m21 15-3.086-3.086a2 2 0 0 0-2.828 0L6 21'),
  ],
  calendar: [{ tag: 'rect', x: 3, y: 4, width: 18, height: 18, rx: 2 }, p('M16 2v4'), p('M8 2v4'), p('M3 10h18')],
  audio: [p('M9 18V5l12-2v13'), { tag: 'circle', cx: 6, cy: 18, r: 3 }, { tag: 'circle', cx: 18, cy: 16, r: 3 }],
  video: [
    p('m16 13 5.223 3.482a.5.5 0 0 0 .777-.416V7.87a.5.5 0 0 0-.752-.432L16 10.5'),
    { tag: 'rect', x: 2, y: 6, width: 14, height: 12, rx: 2 },
  ],
  download: [
    p('M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4'),
    { tag: 'polyline', points: '7 10 12 15 17 10' },
    { tag: 'line', x1: 12, y1: 15, x2: 12, y2: 3 },
  ],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof ICONS;

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Each icon's shapes, built once per page and cloned for every use. */
const drawn = new Map<IconName, DocumentFragment>();

/**
 * The shapes of icon `name` as new SVG elements. An icon's shapes never change, so they are
 * built with the DOM once and cloned: a Svelte block per shape made the popup's first render
 * (about 20 icons in view) spend several milliseconds on icons alone.
 */
export function drawIcon(name: IconName): DocumentFragment {
  let shapes = drawn.get(name);
  if (!shapes) {
    shapes = document.createDocumentFragment();
    for (const { tag, ...attributes } of ICONS[name] as readonly Shape[]) {
      const element = document.createElementNS(SVG_NS, tag);
      for (const [attribute, value] of Object.entries(attributes)) {
        if (value !== undefined) element.setAttribute(attribute, String(value));
      }
      shapes.append(element);
    }
    drawn.set(name, shapes);
  }
  return shapes.cloneNode(true) as DocumentFragment;
}

/** One button of the popup's action bar. */
export interface BarAction {
  id: string;
  icon: IconName;
  label: string;
  /** The shortcut, shown in the tooltip and announced (aria-keyshortcuts). */
  key: string;
  onclick: () => void;
  /** Emphasised (e.g. the flag when the message is flagged). */
  pressed?: boolean;
  /** Show the icon only (the label stays the accessible name and the tooltip). */
  iconOnly?: boolean;
}
