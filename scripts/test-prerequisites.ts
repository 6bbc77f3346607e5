/**
 * The first step of `npm test`: the browser tests need Debian's Chromium and CJK fonts (Chinese
 * renders as boxes without them). When they are missing, they are installed if this can be done
 * here (root, with apt-get); otherwise the tests stop at once with the one command to run,
 * instead of ending in failing browser test files. (nginx, for the reverse-proxy test, is
 * optional locally: that test says so and skips; under CI=true it is required.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const PACKAGES = ['chromium', 'fonts-noto-cjk'];

const hasChromium = () => existsSync(CHROMIUM);
const hasCjkFonts = () => {
  const r = spawnSync('fc-list', [], { encoding: 'utf8' });
  return r.status === 0 && /Noto Sans CJK/i.test(r.stdout);
};

if (!hasChromium() || !hasCjkFonts()) {
  const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
  if (!canInstall) {
    console.error(`浏览器测试需要 Debian 的 Chromium 和中文字体，本机尚未安装。请先运行：\n\n  sudo apt-get update && sudo apt-get install -y ${PACKAGES.join(' ')}\n`);
    process.exit(1);
  }
  console.log(`正在安装浏览器测试所需的 ${PACKAGES.join('、')}（apt-get）……`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...PACKAGES], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!hasChromium() || !hasCjkFonts()) {
    console.error('安装后仍未找到 Chromium 或中文字体，请检查 apt-get 的输出。');
    process.exit(1);
  }
}
