/**
 * Exports templates from content/.
 *
 *   npm run export -- ledger --plan ID [--out FILE.csv] [--as-of YYYY-MM-DD] [--content DIR]
 *
 * The ledger template (CSV, UTF-8 with BOM so Excel opens it correctly) has
 * one row per item — one per part for a multi-part item — with the item's
 * problem, current deadline and responsible units filled in, and empty
 * 完成情况 / 进展情况 / 日期 columns to fill; `npm run import -- ledger`
 * reads it back. `--out -` prints it.
 */
import { parseArgs } from 'node:util';
import { exportLedger } from '../src/import/commands.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    plan: { type: 'string' },
    out: { type: 'string' },
    'as-of': { type: 'string' },
    content: { type: 'string', default: 'content' },
  },
});

if (positionals[0] !== 'ledger') {
  console.log('用法：npm run export -- ledger --plan 方案id [--out 台账模板.csv] [--as-of YYYY-MM-DD]');
  process.exitCode = 1;
} else {
  process.exitCode = exportLedger(
    {
      root: values.content,
      ...(values.plan ? { planId: values.plan } : {}),
      ...(values.out ? { out: values.out } : {}),
      ...(values['as-of'] ? { asOf: values['as-of'] } : {}),
    },
    { out: (line) => console.log(line), progress: (m) => console.error(`… ${m}`) },
  );
}
