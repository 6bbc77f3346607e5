/**
 * Dependency audit for CI: `npm audit` of the production dependencies (the
 * ones that run in the server and the Worker). Fails on any advisory of high
 * or critical severity. When the registry's advisory service cannot be
 * reached (some mirrors and proxies refuse it, as on the machines this project
 * is built on), it says so plainly and passes, unless AUDIT_REQUIRED=1.
 */
import { spawnSync } from 'node:child_process';

const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
let report: { vulnerabilities?: Record<string, { severity: string; via: unknown[] }>; metadata?: { vulnerabilities?: Record<string, number> }; statusCode?: number; message?: string; error?: unknown };
try {
  report = JSON.parse(result.stdout || '{}');
} catch {
  report = { message: result.stderr.trim() || 'npm audit 没有输出 JSON' };
}

const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const why = report.message ?? `HTTP ${report.statusCode ?? '?'}`;
  console.warn(`依赖审计未能完成：无法访问安全公告服务（${why}）。`);
  process.exit(process.env.AUDIT_REQUIRED === '1' ? 1 : 0);
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(`依赖审计（生产依赖）：严重 ${counts.critical ?? 0}，高 ${counts.high ?? 0}，中 ${counts.moderate ?? 0}，低 ${counts.low ?? 0}。`);
for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
  if (v.severity === 'high' || v.severity === 'critical') console.log(`  ${name}：${v.severity}`);
}
process.exit(serious > 0 ? 1 : 0);
