/**
 * English messages for zod's issues in the relay. The schemas are written with `zod/mini`, which
 * loads no locale: without one every issue reads "Invalid input". The relay's issue messages reach
 * people — BAD_REQUEST answers name the field and what is wrong with it ("invalid params for
 * messages.list: limit: Too big: expected number to be <=50"), which the options page shows as
 * its details line, and a bad TIDINGS_OAUTH_ENDPOINTS stops `relay start` with one — so the relay
 * loads English once, here. main.ts imports this module first. Messages passed to a check
 * ('mailbox name is empty') do not depend on it.
 */
import { z } from 'zod/mini';

z.config(z.locales.en());
