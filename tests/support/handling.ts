/**
 * Complaints taken through handling and publication the way staff do it: signed
 * in, through the staff pages (login, action and publish forms, with CSRF).
 */
import { eq } from 'drizzle-orm';
import { complaints } from '../../db/schema.ts';
import type { createApp } from '../../functions/app.ts';
import type { Database } from '../../functions/db.ts';
import { createStaffUser } from '../../functions/staff.ts';

type App = ReturnType<typeof createApp>;
const PASSWORD = 'correct horse battery staple';
const URLENCODED = { 'Content-Type': 'application/x-www-form-urlencoded' };

export interface StaffDesk {
  /** One handling step (`action` and its fields, as the detail page posts them); throws unless it was taken. */
  act(trackingCode: string, fields: Record<string, string>): Promise<void>;
  /** Publishes the redacted record of a handled complaint. */
  publish(trackingCode: string, publication: { summary: string; investigation: string; result: string }): Promise<void>;
  /** Withdraws a publication. */
  unpublish(trackingCode: string): Promise<void>;
  /** Any other staff form (signed in, with the CSRF token); throws unless it was taken (303). */
  post(path: string, fields: Record<string, string>): Promise<void>;
  /** Accepts, assigns to wuwei-housing, closes with `reply`, publishes: the usual way to a public record. */
  handleAndPublish(trackingCode: string, texts?: Partial<{ reply: string; summary: string; investigation: string; result: string }>): Promise<void>;
}

/** Creates an admin and signs in; the returned desk takes steps as that admin. */
export async function staffDesk(app: App, db: Database, username = 'open311-admin'): Promise<StaffDesk> {
  await createStaffUser(db, { username, displayName: '管理员', role: 'admin', password: PASSWORD });
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    app.request(path, { method: 'POST', headers: { ...URLENCODED, ...headers }, body: new URLSearchParams(fields) });
  const login = await post('/staff/login/', { username, password: PASSWORD });
  if (login.status !== 303) throw new Error(`login: ${login.status}`);
  const cookie = login.headers.get('Set-Cookie')!.split(';')[0]!;
  const csrf = (await (await app.request('/staff/', { headers: { Cookie: cookie } })).text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
  const idOf = async (code: string) => (await db.query.complaints.findFirst({ where: eq(complaints.trackingCode, code) }))!.id;
  const staffPost = async (path: string, fields: Record<string, string>) => {
    const res = await post(path, { _csrf: csrf, ...fields }, { Cookie: cookie });
    if (res.status !== 303) throw new Error(`${path} ${JSON.stringify(fields)}: ${res.status} ${(await res.text()).match(/<h2>操作未完成<\/h2><p>([^<]*)/)?.[1] ?? ''}`);
    // A spent session is also a 303, to the sign-in page: the step was not taken.
    if (res.headers.get('Location')?.startsWith('/staff/login')) throw new Error(`${path}: the staff session has ended (the test's clock moved past its limit)`);
  };
  const desk: StaffDesk = {
    act: async (code, fields) => staffPost(`/staff/complaints/${await idOf(code)}/action`, fields),
    publish: async (code, publication) => staffPost(`/staff/complaints/${await idOf(code)}/publish`, { do: 'publish', ...publication }),
    unpublish: async (code) => staffPost(`/staff/complaints/${await idOf(code)}/publish`, { do: 'unpublish' }),
    post: staffPost,
    async handleAndPublish(code, texts = {}) {
      await desk.act(code, { action: 'accept' });
      await desk.act(code, { action: 'assign', unit: 'wuwei-housing' });
      await desk.act(code, { action: 'close', verdict: '属实', reply: texts.reply ?? '已责令停产整改。' });
      await desk.publish(code, { summary: texts.summary ?? '反映企业夜间排放黑烟污水。', investigation: texts.investigation ?? '经查属实。', result: texts.result ?? '责令整改。' });
    },
  };
  return desk;
}
