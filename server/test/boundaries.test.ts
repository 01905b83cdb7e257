import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The module boundaries are lint rules (eslint.config.mjs); this shows they bite. Each probe is a real file in a
 * module's folder for the length of one lint run, so the typed lint sees it as the project would.
 */
const SERVER = path.resolve(__dirname, '..');

async function lintProbe(folder: string, code: string): Promise<string[]> {
  const file = path.join(SERVER, 'src/modules', folder, `boundary-probe-${process.pid}.ts`);
  fs.writeFileSync(file, code);
  try {
    const [result] = await new ESLint({ cwd: SERVER }).lintFiles([file]);
    return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('module boundaries', () => {
  it('refuses a ledger write outside settlement and the ledger', { timeout: 60_000 }, async () => {
    const code = "import { transfer } from '../ledger';\nexport const write = transfer;\n";
    expect(await lintProbe('voucher', code)).toEqual([expect.stringContaining('Only settlement')]);
    expect(await lintProbe('payment', code)).toEqual([]);
  });

  it('refuses reaching into another module past its index.ts', { timeout: 60_000 }, async () => {
    const code = "import { Payment } from '../payment/payment.entity';\nexport const type = Payment;\n";
    expect(await lintProbe('voucher', code)).toEqual([expect.stringContaining('only from its index.ts')]);
    expect(await lintProbe('voucher', code.replace('../payment/payment.entity', '../payment'))).toEqual([]);
  });

  it('refuses an import of the app wiring from any module', { timeout: 60_000 }, async () => {
    const code = "import { MODULES } from '../../app/modules';\nexport const all = MODULES;\n";
    expect(await lintProbe('payment', code)).toEqual([expect.stringContaining('do not import app/')]);
  });
});
