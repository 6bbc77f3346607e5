/**
 * Staff accounts from the command line (the way the first admin is made).
 *
 *   npm run staff -- create --username NAME --name 显示名 --role admin|handler|viewer [--unit UNIT_ID]
 *   npm run staff -- list
 *
 * The password is read from the STAFF_PASSWORD environment variable or, when
 * absent, from standard input (one line), so it never appears in the shell history.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { staffUsers } from '../db/schema.ts';
import { openLocalDatabase, protectLocalData } from '../functions/local.ts';
import { createStaffUser, type StaffRole } from '../functions/staff.ts';
import { loadContent } from '../src/content/load.ts';

// The database and its backups hold every complaint: files this command makes are for its user only.
process.umask(0o077);

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: { username: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' } },
});

async function readPassword(): Promise<string> {
  if (process.env.STAFF_PASSWORD) return process.env.STAFF_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  process.stderr.write('密码（至少 12 个字符）：');
  const line = (await rl[Symbol.asyncIterator]().next()).value as string | undefined;
  rl.close();
  return (line ?? '').trim();
}

const db = await openLocalDatabase();
protectLocalData();
try {
  if (command === 'create') {
    const role = values.role as StaffRole;
    if (!values.username || !['admin', 'handler', 'viewer'].includes(role)) {
      throw new Error('用法：npm run staff -- create --username NAME --name 显示名 --role admin|handler|viewer [--unit UNIT_ID]');
    }
    if (values.unit && !loadContent().content.units.some((u) => u.id === values.unit)) throw new Error(`未知单位：${values.unit}（见 content/units.yaml）`);
    const user = await createStaffUser(db, { username: values.username, displayName: values.name ?? values.username, role, unit: values.unit, password: await readPassword() });
    console.log(`已创建账号 ${user.username}（${user.role}${user.unit ? `，${user.unit}` : ''}）。`);
  } else if (command === 'list') {
    for (const u of await db.select().from(staffUsers)) console.log(`${u.username}\t${u.role}\t${u.unit ?? '—'}\t${u.disabled ? '已停用' : '启用'}`);
  } else {
    throw new Error('用法：npm run staff -- create|list …');
  }
} catch (error) {
  console.error((error as Error).message.includes('UNIQUE') ? '该用户名已存在。' : (error as Error).message);
  process.exitCode = 1;
} finally {
  db.$client.close();
}
