/**
 * Zod without its compiled fast path, in the browser. Before building its
 * first object schema zod probes `new Function('')`; this site's CSP has no
 * 'unsafe-eval', and although zod catches the refusal, the browser still
 * reports a CSP violation (DevTools Issues, Lighthouse best practices) on
 * every visit to the complaint form. With `jitless` zod skips the probe and
 * validates exactly the same way. Import it before any module that builds a
 * schema.
 */
import { z } from 'zod';

z.config({ jitless: true });
