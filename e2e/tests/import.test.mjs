// CSV import of cases in the browser: a GB18030 file with a wrong row is previewed
// with a Chinese message on its line and cannot be imported; the fixed file is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAndBrowser, logIn, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();

/** GB18030/GBK bytes of `text` (what Excel on Chinese Windows saves), via the
 * browser-independent TextDecoder table: encode by building a reverse map. */
function gbk(text) {
  const decoder = new TextDecoder('gbk');
  const table = new Map();
  for (let hi = 0x81; hi <= 0xfe; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      if (lo === 0x7f) continue;
      const ch = decoder.decode(new Uint8Array([hi, lo]));
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [hi, lo]);
    }
  }
  const bytes = [];
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (code < 0x80) bytes.push(code);
    else {
      const pair = table.get(ch);
      assert.ok(pair, `no GBK code for ${ch}`);
      bytes.push(...pair);
    }
  }
  return Buffer.from(bytes);
}

test('a GBK file with a wrong row is refused line by line; the fixed file imports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pingyi-import-'));
  const bad = join(dir, 'cases-bad.csv');
  const good = join(dir, 'cases-good.csv');
  const header = '编号,标题,信访人,责任单位,收件日期,风险等级,分类\r\n';
  writeFileSync(bad, gbk(header +
    '海宁信访〔2026〕801号,集体土地补偿,王建国,自然资源和规划局,2026-11-10,红,A\r\n' +
    '海宁信访〔2026〕802号,物业收费异议,李秀英,发展和改革局,2026-13-01,紫,B\r\n'));
  // The fixed file also names each case's 属地 (district), shown in the preview.
  writeFileSync(good, gbk('编号,标题,信访人,责任单位,收件日期,风险等级,分类,属地\r\n' +
    '海宁信访〔2026〕801号,集体土地补偿,王建国,自然资源和规划局,2026-11-10,红,A,硖石街道\r\n' +
    '海宁信访〔2026〕802号,物业收费异议,李秀英,发展和改革局,2026-11-13,黄,B,许村镇\r\n'));

  const context = await env.browser.newContext();
  const page = await context.newPage();
  await logIn(page, env.server.url, 'clerk');
  await page.goto(env.server.url + '/cases/import');
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });

  await page.getByTestId('import-file').setInputFiles(bad);
  await page.getByTestId('import-preview').click();
  const result = page.getByTestId('import-preview-result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-valid'), 'false');
  assert.match(await page.getByTestId('import-encoding').textContent(), /GB18030/i);
  const errors = await page.locator('tr[data-line="3"] [data-testid="row-errors"]').textContent();
  assert.match(errors, /第 3 行/);
  assert.match(errors, /收件日期/);
  assert.equal(await page.locator('tr[data-line="2"] [data-testid="row-errors"]').count(), 0);
  assert.ok(await page.getByTestId('import-commit').isDisabled(), 'nothing can be imported');
  await page.screenshot({ path: join(ARTIFACTS, 'import-errors.png'), fullPage: true });

  await page.getByTestId('import-file').setInputFiles(good);
  await page.getByTestId('import-preview').click();
  await page.locator('[data-testid="import-preview-result"][data-valid="true"]').waitFor();
  assert.match(await page.locator('tr[data-line="3"]').textContent(), /许村镇/);
  await page.getByTestId('import-commit').click();
  await page.getByTestId('import-done').filter({ hasText: '2' }).waitFor();

  await page.goto(env.server.url + '/cases');
  await page.getByText('海宁信访〔2026〕802号').waitFor();
  await context.close();
});
