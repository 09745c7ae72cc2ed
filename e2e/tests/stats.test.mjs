// After the hearing and the statistics (#10): the host records the handling
// decision of the demo's completed hearing and sees the visits scheduled; the
// petitioner, invited back by link on a phone, confirms the commitment and
// rates the handling; the administrator opens the dashboard, sees the charts,
// changes the period and exports CSV. Screenshots are kept as artefacts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, logIn, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();
const server = env.server;
const CASE = '海宁信访〔2026〕107号';

function dayOffset(days) {
  // The office's calendar day (Beijing), as the server counts it.
  const d = new Date(Date.now() + 8 * 3600 * 1000 + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test('the host records the outcome; the petitioner confirms and rates on a phone', async () => {
  const hostContext = await env.browser.newContext();
  const host = await hostContext.newPage();
  host.on('pageerror', (e) => console.error('page error:', e.message));
  await logIn(host, server.url, 'host');
  await host.goto(server.url + '/');
  const row = host.locator('[data-testid="hearing-list"] tr').filter({ hasText: CASE });
  const href = await row.locator('a').first().getAttribute('href');
  await host.goto(server.url + href + '/aftercare');
  await host.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  await host.getByTestId('aftercare-title').waitFor();

  // A date in the future is refused in Chinese; today's is recorded.
  await host.getByTestId('outcome-decision').fill('责令某镇人民政府三十日内补发拖欠工资 42,000 元。');
  await host.getByTestId('outcome-date').fill(dayOffset(1));
  await host.getByTestId('outcome-resolution').selectOption('resolved');
  await host.getByTestId('outcome-save').click();
  await host.getByTestId('outcome-error').filter({ hasText: '日期不能晚于今天' }).waitFor();
  await host.getByTestId('outcome-date').fill(dayOffset(0));
  // The commitment is typed before the outcome is saved: that save reloads the
  // page's data, and the unsaved wording must survive it.
  await host.getByTestId('commitment-agency-text').fill('三十日内补发拖欠工资 42,000 元');
  await host.getByTestId('commitment-petitioner-text').fill('款项到位后不再就此事重复信访');
  await host.getByTestId('outcome-save').click();
  await host.locator('[data-testid="outcome-current"][data-resolution="resolved"]').waitFor();
  assert.equal(await host.getByTestId('commitment-petitioner-text').inputValue(), '款项到位后不再就此事重复信访');
  await host.getByTestId('visit-row').nth(1).waitFor();
  assert.equal(await host.getByTestId('visit-row').count(), 2, 'visits at 30 and 90 days');

  // The commitment, then a link for the petitioner.
  await host.getByTestId('commitment-save').click();
  await host.locator('[data-testid="commitment-status"][data-complete="false"]').waitFor();
  await host.getByTestId('invite-kind').selectOption('petitioner');
  await host.getByTestId('invite-name').fill('张建国');
  await host.getByTestId('invite-submit').click();
  const url = (await host.getByTestId('invite-url').textContent()).trim();
  await host.screenshot({ path: join(ARTIFACTS, 'aftercare-host.png'), fullPage: true });

  const phone = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
  const party = await phone.newPage();
  party.on('pageerror', (e) => console.error('page error:', e.message));
  await party.goto(url);
  await party.getByTestId('invite-enter').click();
  await party.getByTestId('account').filter({ hasText: '张建国' }).waitFor();
  await party.goto(server.url + '/my');
  await party.getByTestId('my-aftercare').click();
  await party.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  await party.getByTestId('commitment-confirm').click();
  await party.getByTestId('commitment-mine').waitFor();
  await party.getByTestId('rate-fairly_satisfied').check();
  await party.getByTestId('rate-comment').fill('处理及时，希望尽快到账');
  await party.getByTestId('rate-save').click();
  await party.getByTestId('rating-mine').filter({ hasText: '基本满意' }).waitFor();
  assert.equal(await party.getByTestId('outcome-form').count(), 0, 'a party records no outcome');
  await party.screenshot({ path: join(ARTIFACTS, 'aftercare-petitioner-phone.png'), fullPage: true });

  // The host's page shows the petitioner's confirmation and rating.
  await host.reload();
  await host.getByTestId('commitment-petitioner').filter({ hasText: '张建国' }).waitFor();
  await host.locator('[data-testid="rating-current"][data-rating="fairly_satisfied"]').waitFor();
  await phone.close();
  await hostContext.close();
});

test('the administrator reads the dashboard, changes the period and exports CSV', async () => {
  const context = await env.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await logIn(page, server.url, 'admin');
  await page.getByRole('link', { name: '统计' }).click();
  await page.getByRole('heading', { name: '统计分析' }).waitFor();
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });

  // Twelve months of hearings, the rates, every chart with its numbers.
  const months = page.locator('[data-testid="chart-months"] [data-testid="chart-bar"]');
  await months.nth(11).waitFor();
  assert.equal(await months.count(), 12);
  // 33 held in the demo's year (a hearing counts once its log shows it opened:
  // today's is still to come), 2 petitioned again. The total is the server's
  // figure; the bars must add up to it.
  assert.equal((await page.getByTestId('kpi-held-value').textContent()).trim(), '33');
  const bars = await months.evaluateAll((all) => all.reduce((n, b) => n + Number(b.dataset.value), 0));
  assert.equal(bars, 33, 'the monthly columns add up to the total');
  const noRepeat = (await page.getByTestId('kpi-no-repeat-value').textContent()).trim();
  assert.equal(noRepeat, '93.94%');
  for (const chart of ['chart-resolution', 'chart-satisfaction', 'chart-participation', 'risk-grid']) {
    await page.getByTestId(chart).waitFor();
  }
  assert.ok((await page.getByTestId('stats-table').count()) >= 6, 'the numbers as tables');
  await page.screenshot({ path: join(ARTIFACTS, 'stats-dashboard.png'), fullPage: true });

  // A shorter period: three months, in the address and on the chart.
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const month = (back) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    return d.toISOString().slice(0, 7);
  };
  await page.getByTestId('stats-from').fill(month(2));
  await page.getByTestId('stats-to').fill(month(0));
  await page.getByTestId('stats-apply').click();
  await page.waitForURL(/from=/);
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="chart-months"] [data-testid="chart-bar"]').length === 3,
  );
  const period = await page.getByTestId('stats-period').textContent();
  const [y, m] = month(2).split('-').map(Number);
  assert.ok(period.startsWith(`${y}年${m}月 至`), period);

  // The export carries the same figures as the page.
  const shown = (await page.getByTestId('kpi-no-repeat-value').textContent()).trim();
  const [, count, of] = /(\d+)\/(\d+)/.exec(await page.getByTestId('kpi-no-repeat').textContent());
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('stats-export-csv').click(),
  ]);
  const path = join(ARTIFACTS, 'statistics.csv');
  await download.saveAs(path);
  const csv = readFileSync(path, 'utf8');
  assert.ok(csv.includes('评议后未重复信访率'), csv);
  const row = `评议后未重复信访率,${count},${of},${shown}`;
  assert.ok(csv.includes(row), `the CSV has the page's row ${row}: ${csv}`);
  // The held total of the chosen period: the page's figure is the file's 合计.
  const heldShown = (await page.getByTestId('kpi-held-value').textContent()).trim();
  const heldInFile = /^合计,(\d+)\r?$/m.exec(csv);
  assert.ok(heldInFile, `the CSV has the months' 合计: ${csv}`);
  assert.equal(heldShown, heldInFile[1], 'the page and the file count the same hearings');
  assert.ok(csv.includes(month(2)), 'the months of the chosen period');
  await page.screenshot({ path: join(ARTIFACTS, 'stats-three-months.png'), fullPage: true });
  await context.close();
});
