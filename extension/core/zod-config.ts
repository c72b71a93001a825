/**
 * zod's settings for the extension's pages and worker. Each entrypoint imports this module first,
 * before any module that builds a schema.
 *
 * The schemas are written with `zod/mini`, whose object parsers are interpreted: nothing compiles
 * a parser with `new Function`. zod's classic API did where eval is allowed, and probed for it when
 * it built its first object schema; the extension's CSP (MV3: `script-src 'self'`) refused the
 * probe's `new Function('')` (zod caught it), and the page still fired a `securitypolicyviolation`
 * event on every load — noise a CSP report or our tests' CSP guard cannot tell from an attack.
 * `jitless` is zod's setting for strict CSPs: it skips the probe and the compiled parsers, so
 * nothing in zod may try eval here. Schemas built before this runs would not see it, hence
 * "first".
 *
 * zod/mini loads no locale; only the worker loads English messages (background/zod-messages.ts).
 * The relay keeps its own settings (relay/src/zod-config.ts).
 */
import { z } from 'zod/mini';

z.config({ jitless: true });
