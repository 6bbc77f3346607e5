/**
 * Imports published documents into content/ (see src/import/commands.ts).
 *
 *   npm run import -- plan FILE [--write] [--plan ID] [--inspection ID] [--region ID]
 *   npm run import -- amendment FILE [--write] [--plan ID]
 * FILE is plain text (UTF-8 or GB18030), a saved web page (.html), a Word
 * file (.docx) or a PDF with a text layer.
 *   npm run import -- ledger FILE.csv|FILE.xlsx --plan ID --source DOC_ID [--date YYYY-MM-DD]
 *                    [--locator 台账] [--evidence self-reported|on-site-check|third-party|monitoring-data] [--write]
 *
 * Common options: --content DIR (default content), --force (write although
 * some text could not be placed), --quiet (no progress on stderr).
 * Without --write nothing is written: the command prints what would change.
 */
import { parseArgs } from 'node:util';
import { importAmendment, importLedger, importPlan, type CommandIO } from '../src/import/commands.ts';

const USAGE = `用法：
  npm run import -- plan 文件 [--write] [--plan 方案id] [--inspection 督察id] [--region 地区id]
  npm run import -- amendment 文件 [--write] [--plan 方案id]
  （文件可以是 .txt、.html、.docx 或有文字层的 .pdf）
  npm run import -- ledger 台账.csv|台账.xlsx --plan 方案id --source 来源id [--date YYYY-MM-DD] [--write]
通用选项：--content 目录（默认 content）  --force  --quiet
不加 --write 时只预览，不写入。`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    write: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    content: { type: 'string', default: 'content' },
    plan: { type: 'string' },
    inspection: { type: 'string' },
    region: { type: 'string' },
    source: { type: 'string' },
    locator: { type: 'string' },
    date: { type: 'string' },
    evidence: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const io: CommandIO = {
  out: (line) => console.log(line),
  progress: (message) => {
    if (!values.quiet) console.error(`… ${message}`);
  },
};
const [command, file] = positionals;
const common = { root: values.content, write: values.write, force: values.force };

try {
  if (values.help || !command || !file) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 1;
  } else if (command === 'plan') {
    process.exitCode = await importPlan(file, { ...common, ...opt('planId', values.plan), ...opt('inspection', values.inspection), ...opt('region', values.region) }, io);
  } else if (command === 'amendment') {
    process.exitCode = await importAmendment(file, { ...common, ...opt('planId', values.plan) }, io);
  } else if (command === 'ledger') {
    process.exitCode = await importLedger(
      file,
      { ...common, ...opt('planId', values.plan), ...opt('sourceDoc', values.source), ...opt('locator', values.locator), ...opt('date', values.date), ...opt('evidence', values.evidence) },
      io,
    );
  } else {
    console.log(USAGE);
    process.exitCode = 1;
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}

/** An option only when given (the options objects are exact). */
function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
