/** A Hono app on a fresh libSQL file in a temporary folder, for API integration tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../functions/app.ts';
import type { ComplaintDeps } from '../../functions/complaints.ts';
import { importContactKey, newKeyBase64 } from '../../functions/crypto.ts';
import { openLocalDatabase, type Database } from '../../functions/local.ts';
import type { PhotoStore } from '../../functions/photo-store.ts';
import { loadContent } from '../../src/content/load.ts';
import { itemTitle } from '../../src/content/portal.ts';
import { referenceFrom, type Reference } from '../../src/site/reference.ts';
import { closeSite, throughSite } from './site.ts';

let realReference: Reference | undefined;
/** The real regions and units from content/, as the server loads them. */
export function testReference(): Reference {
  realReference ??= referenceFrom(loadContent().content, itemTitle);
  return structuredClone(realReference);
}

/** Photos kept in memory, to inspect what was stored. */
export function memoryPhotoStore(): PhotoStore & { stored: Map<string, { bytes: Uint8Array; contentType: string }> } {
  const stored = new Map<string, { bytes: Uint8Array; contentType: string }>();
  return {
    stored,
    async put(key, bytes, contentType) {
      stored.set(key, { bytes, contentType });
    },
    async get(key) {
      return stored.get(key);
    },
  };
}

export interface TestApi {
  app: ReturnType<typeof createApp>;
  db: Database;
  contactKey: CryptoKey;
  dir: string;
  close: () => void;
}

export async function testApi(overrides: Partial<ComplaintDeps> = {}): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-api-'));
  const db = await openLocalDatabase(`file:${join(dir, 'test.db')}`);
  const contactKey = await importContactKey(newKeyBase64());
  const app = throughSite(createApp({
    production: false,
    complaints: {
      db,
      contactKey,
      clientSalt: 'test-salt',
      reference: testReference(),
      photos: memoryPhotoStore(),
      clientAddress: (c) => c.req.header('X-Test-Client') ?? '198.51.100.7',
      ...overrides,
    },
  }));
  return {
    app,
    db,
    contactKey,
    dir,
    close: () => {
      void closeSite(app);
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A complaint that passes validation; override fields per test. */
export function validComplaint(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pollutionTypes: ['大气'],
    region: 'gansu-wuwei-liangzhou',
    address: '凉州区某工业园区东侧',
    observedAt: '2026-11-20',
    description: '夜间工厂烟囱冒黑烟，气味刺鼻，持续约两小时。',
    anonymous: true,
    consentPublish: true,
    ...overrides,
  };
}

export function postJson(app: TestApi['app'], path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The complaint form's fields (as posted by a browser) filled in validly; `formKey` tells submissions apart. */
export function validComplaintForm(formKey: string): Record<string, string | string[]> {
  return {
    pollutionTypes: ['大气', '水'],
    region: 'gansu-wuwei-liangzhou',
    address: '凉州区某工业园区东侧',
    observedAt: '2026-11-20',
    description: '夜间工厂烟囱冒黑烟，气味刺鼻，持续约两小时。',
    anonymous: '0',
    name: '张三',
    phone: '13912345678',
    consentPublish: '1',
    formKey,
  };
}
