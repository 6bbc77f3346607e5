/** What every staff page route shares: the typed context after sign-in, the reader's frame, a short message page. */
import type { Context } from 'hono';
import type { MessagePage, StaffFrame } from '../../src/views/pages.ts';
import type { StaffUser } from '../staff.ts';

export type StaffEnv = { Variables: { user: StaffUser; csrfToken: string; form: Record<string, string>; frame: StaffFrame } };

/** The signed-in reader, for the bar on top of every staff page and the CSRF token of its forms. */
export const staffFrame = (c: Context<StaffEnv>): StaffFrame => c.get('frame');

/** A short staff page: a heading and a few sentences; with the reader's bar once signed in. */
export function staffMessage(c: Context, status: NonNullable<MessagePage['status']>, heading: string, paragraphs: string[], links: MessagePage['links'] = [{ href: '/staff/', label: '返回投诉队列' }]) {
  const signedIn = !!c.get('user');
  return c.render({ view: 'message', section: 'staff', title: `${heading}（工作人员）`, status, heading, paragraphs, links, ...(signedIn ? { staff: staffFrame(c as Context<StaffEnv>) } : {}) });
}

