/**
 * English messages for zod's issues, in the service worker only. The schemas are written with
 * `zod/mini`, which loads no locale: without one every issue reads "Invalid input".
 *
 * The worker's messages reach people: its BAD_REQUEST replies ("invalid params for …", "invalid
 * result for …: accounts.0.unread: Invalid input: expected number, received string" when relay
 * and extension disagree) end up in the popup's error sentence, the options page's details line
 * and the worker's log. The popup and the options page do not load the locale: their own parse
 * failures are re-checks of what the worker already checked, or null results nobody reads, and
 * they start on every open. Messages passed to a check ('not a valid relay URL') do not depend on
 * it. entrypoints/background.ts imports this module right after core/zod-config.ts.
 */
import { z } from 'zod/mini';

z.config(z.locales.en());
