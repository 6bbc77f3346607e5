/**
 * zod's own messages (a wrong type, say) in Chinese, like the rest of the portal. zod keeps its
 * configuration on globalThis and starts in English, so every entry point that validates calls
 * this itself rather than relying on some module having been imported first: the Node runtime
 * (functions/runtime/node.ts), the Worker runtime (functions/runtime/worker.ts), the complaint
 * form's script (src/scripts/complaint-form.ts) and the content loader (src/content/load.ts, for
 * the build, `npm run check:content` and the importer).
 */
import { z } from 'zod';
// The one locale by name, not `z.locales`, so that the browser bundle carries only this one.
import { zhCN } from 'zod/locales';

export function configureZodLocale(): void {
  z.config(zhCN());
}
