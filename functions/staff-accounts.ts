/**
 * Managing staff accounts from the command line (scripts/staff.ts): disable
 * and enable, clear the login throttle, reset a password, end sessions, set
 * the e-mail address deadline reminders go to. Each is audited with the actor
 * `cli`; what must happen together is one batch.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, staffSessions, staffUsers } from '../db/schema.ts';
import { maskEmail } from '../src/domain/complaint-mail.ts';
import type { ReminderStaff } from '../src/domain/reminders.ts';
import { decryptJson, encryptJson, hashPassword } from './crypto.ts';
import type { Database } from './db.ts';
import { clearAccountThrottle } from './login-throttle.ts';
import { auditEntry, checkNewPassword, publicUser, type StaffUser } from './staff.ts';

export class UnknownStaffUser extends Error {
  constructor(username: string) {
    super(`没有用户名为“${username}”的账号（用 npm run staff -- list 查看）。`);
  }
}

async function find(db: Database, username: string) {
  const user = await db.query.staffUsers.findFirst({ where: eq(staffUsers.username, username) });
  if (!user) throw new UnknownStaffUser(username);
  return user;
}

const endSessionsOf = (db: Database, userId: string) => db.delete(staffSessions).where(eq(staffSessions.userId, userId)).returning({ tokenHash: staffSessions.tokenHash });

/**
 * Disables an account (it can no longer sign in, and its open sessions end now) or enables it
 * again. Returns the account and how many sessions were ended.
 */
export async function setStaffDisabled(db: Database, username: string, disabled: boolean, at = new Date()): Promise<{ user: StaffUser; sessionsEnded: number }> {
  const user = await find(db, username);
  if (!disabled) {
    await db.batch([
      db.update(staffUsers).set({ disabled: false }).where(eq(staffUsers.id, user.id)),
      db.insert(auditLog).values(auditEntry(at, 'cli', 'enable_staff_user', user.id, username)),
    ]);
    return { user: publicUser(user), sessionsEnded: 0 };
  }
  const [, ended] = await db.batch([
    db.update(staffUsers).set({ disabled: true }).where(eq(staffUsers.id, user.id)),
    endSessionsOf(db, user.id),
    db.insert(auditLog).values(auditEntry(at, 'cli', 'disable_staff_user', user.id, username)),
  ]);
  return { user: publicUser(user), sessionsEnded: ended.length };
}

/** Clears the login throttle counter of an account; returns whether it had one. */
export async function unlockStaffUser(db: Database, username: string, at = new Date()): Promise<boolean> {
  const user = await find(db, username);
  const cleared = await clearAccountThrottle(db, username);
  await db.insert(auditLog).values(auditEntry(at, 'cli', 'unlock_staff_user', user.id, cleared ? `${username}：已清除登录限制` : `${username}：无登录限制`));
  return cleared;
}

/** Sets a new password (at least 12 characters) and ends the account's sessions. */
export async function resetStaffPassword(db: Database, username: string, password: string, at = new Date()): Promise<{ sessionsEnded: number }> {
  checkNewPassword(password);
  const user = await find(db, username);
  const passwordHash = await hashPassword(password);
  const [, ended] = await db.batch([
    db.update(staffUsers).set({ passwordHash }).where(eq(staffUsers.id, user.id)),
    // Whoever signed in with the old password is signed out.
    endSessionsOf(db, user.id),
    db.insert(auditLog).values(auditEntry(at, 'cli', 'reset_staff_password', user.id, username)),
  ]);
  return { sessionsEnded: ended.length };
}

/** Ends every session of an account (e.g. a lost laptop); returns how many there were. */
export async function revokeStaffSessions(db: Database, username: string, at = new Date()): Promise<number> {
  const user = await find(db, username);
  const [ended] = await db.batch([endSessionsOf(db, user.id), db.insert(auditLog).values(auditEntry(at, 'cli', 'revoke_staff_sessions', user.id, username))]);
  return ended.length;
}

/** A staff address is encrypted bound to its account: a ciphertext copied onto another account does not decrypt. */
const staffEmailContext = (id: string) => `staff:${id}`;

const staffEmail = z.string().trim().toLowerCase().max(254, '电子邮箱不能超过 254 个字符').pipe(z.email('请填写正确的电子邮箱，如 name@example.org'));

/**
 * Sets (or, with null, removes) the work address an account's deadline reminders go to. Stored
 * encrypted like a reporter's contact (CONTACT_ENCRYPTION_KEY); the audit entry shows it masked.
 */
export async function setStaffEmail(db: Database, key: CryptoKey, username: string, email: string | null, at = new Date()): Promise<string | null> {
  const user = await find(db, username);
  const parsed = email === null ? null : staffEmail.safeParse(email);
  if (parsed && !parsed.success) throw new Error(parsed.error.issues[0]?.message ?? '电子邮箱无效');
  const address = parsed ? parsed.data : null;
  await db.batch([
    db.update(staffUsers).set({ emailCiphertext: address ? await encryptJson(key, address, staffEmailContext(user.id)) : null }).where(eq(staffUsers.id, user.id)),
    db.insert(auditLog).values(auditEntry(at, 'cli', address ? 'set_staff_email' : 'clear_staff_email', user.id, address ? `${username}：${maskEmail(address)}` : username)),
  ]);
  return address;
}

/** An account's address, or null (none set, or it no longer decrypts: a changed key). */
export async function staffEmailOf(key: CryptoKey, row: { id: string; emailCiphertext: string | null }): Promise<string | null> {
  if (!row.emailCiphertext) return null;
  try {
    return await decryptJson<string>(key, row.emailCiphertext, staffEmailContext(row.id));
  } catch {
    return null;
  }
}

/** The enabled accounts with an address, decrypted, for choosing a reminder's recipients. */
export async function reachableStaff(db: Database, key: CryptoKey): Promise<ReminderStaff[]> {
  const rows = await db
    .select({ id: staffUsers.id, role: staffUsers.role, unit: staffUsers.unit, disabled: staffUsers.disabled, emailCiphertext: staffUsers.emailCiphertext })
    .from(staffUsers)
    .where(and(isNotNull(staffUsers.emailCiphertext), eq(staffUsers.disabled, false)));
  return Promise.all(rows.map(async (r) => ({ id: r.id, role: r.role, unit: r.unit, disabled: r.disabled, email: await staffEmailOf(key, r) })));
}
