/**
 * Staff accounts from the command line (the way the first admin is made).
 *
 *   npm run staff -- create --username NAME --name 显示名 --role admin|handler|viewer [--unit UNIT_ID] [--email ADDRESS]
 *   npm run staff -- list
 *   npm run staff -- set-email --username NAME --email ADDRESS   (where deadline reminders go)
 *   npm run staff -- clear-email --username NAME
 *   npm run staff -- disable --username NAME          (also ends the account's sessions)
 *   npm run staff -- enable --username NAME
 *   npm run staff -- unlock --username NAME           (clears the account's login throttle)
 *   npm run staff -- reset-password --username NAME   (also ends the account's sessions)
 *   npm run staff -- revoke-sessions --username NAME
 *
 * Passwords (create, reset-password) are read from the STAFF_PASSWORD environment
 * variable or, when absent, from standard input: typed without echo (twice) at a
 * terminal, else the first line. Never from the command line, which the shell
 * history and the process list keep. Every change is audited with the actor `cli`.
 * E-mail addresses are stored encrypted with CONTACT_ENCRYPTION_KEY (or .data/secrets.json), as
 * reporters' contact details are; `list` says only whether an account has one.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { createInterface } from 'node:readline/promises';
import { staffUsers } from '../db/schema.ts';
import { accountWait } from '../functions/login-throttle.ts';
import { localSecrets, openLocalDatabase, protectLocalData } from '../functions/local.ts';
import { createStaffUser, type StaffRole } from '../functions/staff.ts';
import { resetStaffPassword, revokeStaffSessions, setStaffDisabled, setStaffEmail, UnknownStaffUser, unlockStaffUser } from '../functions/staff-accounts.ts';
import { maskEmail } from '../src/domain/complaint-mail.ts';
import { loadContent } from '../src/content/load.ts';

// The database and its backups hold every complaint: files this command makes are for its user only.
process.umask(0o077);

const USAGE = `用法：npm run staff -- <命令> [选项]
  create --username NAME --name 显示名 --role admin|handler|viewer [--unit UNIT_ID] [--email 邮箱]
  list
  set-email --username NAME --email 邮箱   设置接收办理期限提醒的工作邮箱（加密保存）
  clear-email --username NAME      删除账号的邮箱（不再收到提醒）
  disable --username NAME          停用账号，并结束其全部会话
  enable --username NAME           重新启用账号
  unlock --username NAME           清除账号的登录限制（连续失败后的等待）
  reset-password --username NAME   重设密码（至少 12 个字符），并结束其全部会话
  revoke-sessions --username NAME  结束账号的全部会话
密码从环境变量 STAFF_PASSWORD 或标准输入读取，不能写在命令行上。`;

/** Reads one line from a terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('已取消。'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPassword(): Promise<string> {
  if (process.env.STAFF_PASSWORD) return process.env.STAFF_PASSWORD;
  if (process.stdin.isTTY) {
    const first = await readHidden('新密码（至少 12 个字符，输入时不显示）：');
    if ((await readHidden('再输入一次：')) !== first) throw new Error('两次输入的密码不一致。');
    return first;
  }
  const rl = createInterface({ input: process.stdin, terminal: false });
  const line = (await rl[Symbol.asyncIterator]().next()).value as string | undefined;
  rl.close();
  // Only the line ending is removed: spaces are part of the password.
  return (line ?? '').replace(/\r?\n?$/, '');
}

const [command, ...rest] = process.argv.slice(2);
let values: { username?: string | undefined; name?: string | undefined; role?: string | undefined; unit?: string | undefined; email?: string | undefined };
try {
  ({ values } = parseArgs({ args: rest, options: { username: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' }, email: { type: 'string' } } }));
} catch (error) {
  const { code, message } = error as Error & { code?: string };
  const arg = message.match(/'([^']+)'/)?.[1] ?? '';
  const why =
    arg.startsWith('--password') ? '密码不能写在命令行上（会留在 shell 历史和进程列表中），请用环境变量 STAFF_PASSWORD 或标准输入。'
    : code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `未知选项：${arg}。`
    : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? `选项 ${arg.split(' ')[0]} 缺少取值。`
    : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? `多余的参数：${arg}。`
    : '参数有误。';
  console.error(`${why}\n${USAGE}`);
  process.exit(2);
}

/** The --username of a command that needs one. */
function username(): string {
  if (!values.username) throw new Error(`请用 --username 指定账号。\n${USAGE}`);
  return values.username;
}

const db = await openLocalDatabase();
protectLocalData();
try {
  if (command === 'create') {
    const role = values.role as StaffRole;
    if (!values.username || !['admin', 'handler', 'viewer'].includes(role)) throw new Error(USAGE);
    if (values.unit && !loadContent().content.units.some((u) => u.id === values.unit)) throw new Error(`未知单位：${values.unit}（见 content/units.yaml）`);
    const user = await createStaffUser(db, { username: values.username, displayName: values.name ?? values.username, role, unit: values.unit, password: await readPassword() });
    const email = values.email ? await setStaffEmail(db, (await localSecrets()).contactKey, user.username, values.email) : null;
    console.log(`已创建账号 ${user.username}（${user.role}${user.unit ? `，${user.unit}` : ''}${email ? `，${maskEmail(email)}` : ''}）。`);
  } else if (command === 'list') {
    // Whether an account has an address, not the address: listing needs no key.
    for (const u of await db.select().from(staffUsers)) {
      const wait = await accountWait(db, u.username);
      console.log(`${u.username}\t${u.role}\t${u.unit ?? '—'}\t${u.disabled ? '已停用' : '启用'}\t${u.emailCiphertext ? '有邮箱' : '无邮箱'}${wait ? `\t登录受限（还需等待 ${wait} 秒）` : ''}`);
    }
  } else if (command === 'set-email') {
    if (!values.email) throw new Error(`请用 --email 指定邮箱。\n${USAGE}`);
    const email = await setStaffEmail(db, (await localSecrets()).contactKey, username(), values.email);
    console.log(`已设置账号 ${username()} 的邮箱 ${maskEmail(email!)}：办理期限提醒将发送到该邮箱。`);
  } else if (command === 'clear-email') {
    await setStaffEmail(db, (await localSecrets()).contactKey, username(), null);
    console.log(`已删除账号 ${username()} 的邮箱。`);
  } else if (command === 'disable') {
    const { sessionsEnded } = await setStaffDisabled(db, username(), true);
    console.log(`已停用账号 ${username()}，结束会话 ${sessionsEnded} 个。`);
  } else if (command === 'enable') {
    await setStaffDisabled(db, username(), false);
    console.log(`已启用账号 ${username()}。`);
  } else if (command === 'unlock') {
    const cleared = await unlockStaffUser(db, username());
    console.log(cleared ? `已清除账号 ${username()} 的登录限制。` : `账号 ${username()} 没有登录限制，无需清除。`);
  } else if (command === 'reset-password') {
    const name = username();
    // The account first, so no one types a password for a name that does not exist.
    if (!(await db.query.staffUsers.findFirst({ where: eq(staffUsers.username, name) }))) throw new UnknownStaffUser(name);
    const { sessionsEnded } = await resetStaffPassword(db, name, await readPassword());
    console.log(`已重设账号 ${name} 的密码，结束会话 ${sessionsEnded} 个。`);
  } else if (command === 'revoke-sessions') {
    console.log(`已结束账号 ${username()} 的会话 ${await revokeStaffSessions(db, username())} 个。`);
  } else {
    throw new Error(USAGE);
  }
} catch (error) {
  console.error((error as Error).message.includes('UNIQUE') ? '该用户名已存在。' : (error as Error).message);
  process.exitCode = 1;
} finally {
  db.$client.close();
}
