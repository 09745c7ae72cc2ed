// The walking skeleton, end to end: SSR + hydration in Chinese, the language
// switch without reload, a server function writing the event log with a typed
// Chinese error, the live socket reaching a second browser, reconnection across
// a server restart or a frozen server, and the Chinese PDF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, openRoom, logIn, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();
const server = env.server;

/**
 * Today's demo hearing (closed, the demo juror seated), opened by its host so
 * that the record is taken (it is opened once; later calls find it open).
 * `page` ends logged in as the clerk.
 */
async function firstHearingUrl(page) {
  await logIn(page, server.url, 'host');
  await page.goto(server.url + '/');
  const link = page.locator('[data-testid="hearing-list"] a').filter({ hasText: '农民工工资' });
  const href = await link.getAttribute('href');
  const hearingId = href.split('/').pop();
  const opened = await page.request.post(`${server.url}/rpc/step_procedure`, {
    data: { hearing_id: hearingId, step: { step: 'start' } },
  });
  const body = await opened.text();
  assert.ok(opened.status() === 200 || body.includes('not_now'), `opened: ${opened.status()} ${body}`);
  await logIn(page, server.url, 'clerk');
  return server.url + href;
}

test('home page is rendered in Chinese on the server and switches to English without reload', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await logIn(page, server.url, 'host');
  const response = await page.goto(server.url + '/');
  const html = await response.text();
  assert.match(html, /听证评议会一览/, 'server-rendered HTML is Chinese');
  assert.match(html, /海宁信访〔2026〕123号/, 'demo case is listed');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(response.headers()['content-security-policy'] ?? '', /nonce-/);

  // Once hydrated, a marker on window proves the switch does not reload.
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  await page.evaluate(() => (window.__noReload = true));
  await page.getByTestId('lang-switch').click();
  await page.getByRole('heading', { name: 'Hearings' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => window.__noReload), true, 'no reload happened');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.screenshot({ path: join(ARTIFACTS, 'home-en.png'), fullPage: true });

  // The choice is remembered by the next server render.
  await page.reload();
  await page.getByRole('heading', { name: 'Hearings' }).waitFor();
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  await page.getByTestId('lang-switch').click();
  await page.getByRole('heading', { name: '听证评议会一览' }).waitFor();
  await context.close();
});

test('a record line typed in one browser appears in another within a second, also across a restart', async () => {
  const scout = await env.browser.newPage();
  const roomUrl = await firstHearingUrl(scout);
  await scout.close();

  const clerkContext = await env.browser.newContext();
  await logIn(await clerkContext.newPage(), server.url, 'clerk');
  const jurorContext = await env.browser.newContext();
  await logIn(await jurorContext.newPage(), server.url, 'juror');
  const clerk = await openRoom(clerkContext, roomUrl);
  const juror = await openRoom(jurorContext, roomUrl);
  assert.equal(await juror.getByTestId('record-input').count(), 0, 'a juror has no record input');

  // Bad input: a typed error, shown in Chinese, and the input is kept.
  await clerk.getByTestId('record-input').fill('   ');
  await clerk.getByTestId('record-submit').click();
  await clerk.getByTestId('record-error').filter({ hasText: '记录内容不能为空。' }).waitFor();

  const line = `信访人补充陈述：已提交考勤记录 ${Date.now()}`;
  await clerk.getByTestId('record-input').fill(line);
  const started = Date.now();
  await clerk.getByTestId('record-submit').click();
  await juror.getByTestId('record').getByText(line).waitFor({ timeout: 1_000 });
  const latency = Date.now() - started;
  assert.ok(latency < 1_000, `delivered in ${latency} ms`);
  // The juror may see the line before the clerk's own answer has arrived: wait for it.
  await clerk.waitForFunction(
    () => document.querySelector('[data-testid="record-input"]')?.value === '',
    null,
    { timeout: 5_000 },
  );
  await juror.screenshot({ path: join(ARTIFACTS, 'room-juror.png'), fullPage: true });

  // Restart the server: the sockets drop, reconnect, and resume from their last seq.
  assert.equal(await server.stop(), 0, 'graceful shutdown exits 0');
  await juror.locator('[data-testid="live-status"][data-status="reconnecting"]').waitFor({ timeout: 5_000 });
  await server.start();
  // Sessions live in the database: the clerk is still logged in after the restart.
  const afterRestart = `重启后记录 ${Date.now()}`;
  const res = await clerk.request.post(`${server.url}/rpc/record_note`, {
    form: { hearing_id: roomUrl.split('/').pop(), text: afterRestart },
  });
  assert.equal(res.status(), 200, await res.text());
  await juror.getByTestId('record').getByText(afterRestart).waitFor({ timeout: 15_000 });
  await clerk.getByTestId('record').getByText(afterRestart).waitFor({ timeout: 15_000 });
  // Every line exactly once, in seq order, on both screens.
  for (const page of [clerk, juror]) {
    const seqs = await page.locator('[data-testid="record"] li').evaluateAll((lis) => lis.map((li) => Number(li.dataset.seq)));
    assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'each line once, in seq order');
    assert.ok(seqs.length >= 2);
  }
  await clerk.context().close();
  await juror.context().close();
});

test('a frozen server is noticed: the room says 重新连接中… and recovers by itself', async () => {
  const scout = await env.browser.newPage();
  const roomUrl = await firstHearingUrl(scout);
  await scout.close();
  const context = await env.browser.newContext();
  await logIn(await context.newPage(), server.url, 'juror');
  const juror = await openRoom(context, roomUrl);
  // SIGSTOP: the socket stays open (the kernel keeps it) but nothing answers, as
  // when a phone changes networks; the browser's unanswered ping gives it away.
  process.kill(server.proc.pid, 'SIGSTOP');
  try {
    const status = juror.locator('[data-testid="live-status"][data-status="reconnecting"]');
    await status.waitFor({ timeout: 45_000 });
    assert.equal((await status.textContent()).trim(), '重新连接中…');
  } finally {
    process.kill(server.proc.pid, 'SIGCONT');
  }
  await juror.locator('[data-testid="live-status"][data-status="connected"]').waitFor({ timeout: 30_000 });
  await context.close();
});

test('the record downloads as a Chinese PDF with an embedded, subset font', async () => {
  const page = await env.browser.newPage();
  const roomUrl = await firstHearingUrl(page);
  await page.goto(roomUrl);
  const caseNumber = (await page.locator('.facts dd').first().textContent()).trim();
  const href = await page.getByTestId('minutes-link').first().getAttribute('href');
  const res = await page.request.get(server.url + href);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  assert.match(res.headers()['content-disposition'], /attachment/);
  const pdf = await res.body();
  const file = join(ARTIFACTS, 'record.pdf');
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', [file, '-']).toString();
  assert.ok(text.includes(caseNumber), `PDF names the case ${caseNumber}`);
  const fonts = execFileSync('pdffonts', [file]).toString();
  assert.match(fonts, /\+NotoSans/i, 'font subset (name has a subset tag)');
  assert.match(fonts, /yes\s+yes\s+(yes|no)\s+\d+/, 'embedded and subset');
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, join(ARTIFACTS, 'record-page')]);
  await page.close();
});
