/**
 * zod without its eval probe, in the extension's pages and worker. Each entrypoint imports this
 * module first, before any module that builds a schema.
 *
 * zod 4 compiles object parsers with `new Function` where eval is allowed, and probes for it when
 * it builds its first object schema. The extension's CSP (MV3: `script-src 'self'`) refuses eval:
 * the probe's `new Function('')` throws (zod catches it), and the page still fires a
 * `securitypolicyviolation` event on every load — noise a CSP report or our tests' CSP guard
 * cannot tell from an attack, and work on the popup's start. `jitless` skips the probe (zod's
 * setting for strict CSPs); parsing is unchanged, interpreted as it already was here. Schemas
 * built before this runs would still probe, hence "first". The relay (Node) keeps the compiled
 * parsers.
 */
import { z } from 'zod';

z.config({ jitless: true });
