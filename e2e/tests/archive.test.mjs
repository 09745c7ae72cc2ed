// The archive (#9): an archivist searches the finalised minutes of the demo's
// completed hearing, downloads the signed PDF (which pdfsig and pyHanko accept),
// uploads it to the public verification page and sees "验证通过"; a copy with one
// byte changed is rejected. Pages 1 and the last of the minutes are kept as PNGs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverAndBrowser, logIn, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();
const server = env.server;
const CASE = '海宁信访〔2026〕107号';
const PYHANKO_CHECK = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'server', 'tests', 'pyhanko_check.py');

/**
 * pyHanko's verdict on a PDF (server/tests/pyhanko_check.py): exit status 0
 * accepted, 1 rejected. `null` when PINGYI_PYHANKO (the venv Python of `make
 * pdf-tools`) is unset: a loud skip by hand, a failure under `make test`.
 */
function pyhanko(pdfPath) {
  const python = process.env.PINGYI_PYHANKO;
  if (!python) {
    assert.notEqual(process.env.PINGYI_REQUIRE_PDF_TOOLS, '1', 'PINGYI_PYHANKO unset: run through `make test`');
    console.warn('!!! PINGYI_PYHANKO unset: the pyHanko check of the demo minutes is SKIPPED');
    return null;
  }
  const run = spawnSync(python, [PYHANKO_CHECK, pdfPath], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: run.stdout + run.stderr };
}

test('an archivist finds, downloads and verifies the signed minutes; a modified copy is rejected', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await logIn(page, server.url, 'archivist');
  await page.getByRole('link', { name: '档案' }).click();
  await page.getByRole('heading', { name: '纪要档案' }).waitFor();
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  // The whole archive first, then a search by case number narrows it.
  await page.getByTestId('archive-row').first().waitFor({ timeout: 15_000 });
  await page.getByTestId('archive-case').fill('107');
  await page.getByTestId('archive-submit').click();
  await page.getByTestId('archive-count').filter({ hasText: '共 1 份' }).waitFor();
  const row = page.getByTestId('archive-row');
  assert.match(await row.textContent(), /海宁信访〔2026〕107号/);
  assert.match(await row.textContent(), /部分支持/);
  // A search that matches nothing says so.
  await page.getByTestId('archive-member').fill('不存在的评议员');
  await page.getByTestId('archive-submit').click();
  await page.getByTestId('archive-empty').waitFor();
  await page.getByTestId('archive-member').fill('');
  await page.getByTestId('archive-from').fill('2000-01-01');
  await page.getByTestId('archive-submit').click();
  await page.getByTestId('archive-count').filter({ hasText: '共 1 份' }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'archive.png'), fullPage: true });

  // Download through the link, as the browser would.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('archive-minutes').click(),
  ]);
  const pdfPath = join(ARTIFACTS, 'minutes-signed.pdf');
  await download.saveAs(pdfPath);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-']).toString();
  assert.ok(text.includes(CASE), 'the case number is in the minutes');
  const sig = execFileSync('pdfsig', [pdfPath]).toString();
  assert.match(sig, /Signature is Valid/);
  const accepted = pyhanko(pdfPath);
  if (accepted) assert.equal(accepted.status, 0, `pyHanko does not accept the demo minutes:\n${accepted.output}`);
  // Look at it: the first and the last page as PNGs.
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdfPath]).toString())[1]);
  for (const [n, name] of [[1, 'minutes-page-first'], [pages, 'minutes-page-last']]) {
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', String(n), '-l', String(n), pdfPath, join(ARTIFACTS, name)]);
    const made = readdirSync(ARTIFACTS).find((f) => f.startsWith(name + '-') && f.endsWith('.png'));
    renameSync(join(ARTIFACTS, made), join(ARTIFACTS, name + '.png'));
  }

  // The public verification page needs no login.
  const visitor = await env.browser.newContext();
  const verify = await visitor.newPage();
  await verify.goto(server.url + '/verify');
  await verify.getByTestId('verify-file').setInputFiles(pdfPath);
  await verify.getByTestId('verify-submit').click();
  const verdict = verify.getByTestId('verify-verdict');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-authentic'), 'true');
  assert.match(await verdict.textContent(), /验证通过/);
  assert.match(await verify.getByTestId('verify-hearing').textContent(), /107号/);
  await verify.screenshot({ path: join(ARTIFACTS, 'verify-ok.png'), fullPage: true });

  // One byte changed in the middle of the document: rejected.
  const bytes = execFileSync('cat', [pdfPath]);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  const forged = join(ARTIFACTS, 'minutes-modified.pdf');
  writeFileSync(forged, bytes);
  if (accepted) {
    const rejected = pyhanko(forged);
    assert.equal(rejected.status, 1, `pyHanko does not reject the modified copy:\n${rejected.output}`);
  }
  await verify.getByTestId('verify-again').click();
  await verify.getByTestId('verify-file').setInputFiles(forged);
  await verify.getByTestId('verify-submit').click();
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-authentic'), 'false');
  assert.match(await verdict.textContent(), /验证未通过/);
  assert.match(await verify.getByTestId('verify-findings').textContent(), /已被修改|无效/);
  await verify.screenshot({ path: join(ARTIFACTS, 'verify-rejected.png'), fullPage: true });
  await visitor.close();
  await context.close();
});

test('the host sees the minutes final and signed in the room', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await logIn(page, server.url, 'host');
  await page.goto(server.url + '/');
  await page.getByText('关于异地就医费用报销争议的公开听证评议会').click();
  await page.locator('[data-testid="live-status"][data-status="connected"]').waitFor({ timeout: 15_000 });
  await page.locator('[data-testid="minutes-status"][data-status="final"]').waitFor();
  assert.match(await page.getByTestId('minutes-final').textContent(), /已加盖电子签章并归档/);
  assert.equal(await page.getByTestId('minutes-confirm').count(), 0, 'nothing to confirm once final');
  await page.screenshot({ path: join(ARTIFACTS, 'room-minutes-final.png'), fullPage: true });
  await context.close();
});
