// Cases and hearing scheduling (issue #4) in the browser: a host registers a
// case, schedules a public hearing, is stopped by a double booking that names
// who and which hearing, moves the second hearing to a free slot, and the public
// announcement shows the first one to anybody. Then the pages people use on
// phones are checked at 390 px for sideways scrolling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, logIn, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();

const CASE_NUMBER = '海宁信访〔2026〕901号';
const CASE_TITLE = '小区停车位划分争议';
const ROOM = '海宁市信访局听证室（三）';

/** A day `daysAhead` from today in Beijing time, as a date input holds it. */
function beijingDate(daysAhead) {
  const ms = Date.now() + 8 * 3600_000 + daysAhead * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** "2026-12-05" → "2026年12月5日", as the pages and notices write it. */
function zhDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

async function hydrated(page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
}

async function fillPlan(page, { date, time, room }) {
  await page.getByTestId('plan-kind').selectOption('public');
  await page.getByTestId('plan-date').fill(date);
  await page.getByTestId('plan-time').fill(time);
  await page.getByTestId('plan-room').fill(room);
}

test('a host schedules a public hearing, meets a double booking, fixes it, and the announcement shows it', async () => {
  const url = env.server.url;
  const context = await env.browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await logIn(page, url, 'host');

  // 登记信访事项: an unreadable form is refused in Chinese and keeps what was typed.
  await page.goto(url + '/cases');
  await hydrated(page);
  await page.getByTestId('case-list').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'cases-list.png'), fullPage: true });
  await page.getByTestId('new-case').click();
  await page.getByTestId('case-form').waitFor();
  await page.getByTestId('case-number-input').fill(CASE_NUMBER);
  await page.getByTestId('case-title-input').fill(CASE_TITLE);
  await page.getByTestId('case-save').click();
  await page.getByTestId('case-error').filter({ hasText: '请至少填写一名信访人' }).waitFor();
  assert.equal(await page.getByTestId('case-title-input').inputValue(), CASE_TITLE);
  await page.getByTestId('case-petitioners').fill('王建华、李桂芳');
  await page.getByTestId('case-agencies').fill('海宁市住房和城乡建设局');
  await page.getByTestId('case-summary').fill('信访人反映小区停车位划分不公，要求重新公开划分方案。');
  await page.getByTestId('case-received').fill(beijingDate(-3));
  await page.getByTestId('case-risk').selectOption('yellow');
  await page.getByTestId('case-class').selectOption('b');
  await page.screenshot({ path: join(ARTIFACTS, 'case-form.png'), fullPage: true });
  await page.getByTestId('case-save').click();

  // The case page: its facts and its running deadline.
  await page.getByTestId('case-title').filter({ hasText: CASE_TITLE }).waitFor();
  assert.equal((await page.getByTestId('case-number').textContent()).trim(), CASE_NUMBER);
  assert.match(await page.getByTestId('case-facts').textContent(), /王建华、李桂芳/);
  assert.match(await page.getByTestId('deadline').textContent(), /受理期限/);
  assert.equal(await page.getByTestId('case-history').locator('li[data-change="created"]').count(), 1);

  // 安排听证: a public hearing ten days ahead, 09:00–11:00 in room three.
  const day = beijingDate(10);
  await page.getByTestId('schedule-hearing').click();
  await page.getByTestId('hearing-form').waitFor();
  await hydrated(page);
  const firstTitle = await page.getByTestId('plan-title').inputValue();
  assert.equal(firstTitle, `关于${CASE_TITLE}的听证评议会`);
  await fillPlan(page, { date: day, time: '09:00', room: ROOM });
  await page.getByTestId('plan-submit').click();
  await page.waitForURL(/\/hearings\/[^/]+\/plan$/);
  const firstId = page.url().split('/').at(-2);
  await page.getByTestId('plan-heading').filter({ hasText: firstTitle }).waitFor();
  assert.equal(await page.getByTestId('hearing-status').first().getAttribute('data-status'), 'scheduled');
  assert.match(await page.getByTestId('plan-when').textContent(), new RegExp(`${zhDate(day)} 09:00`));
  assert.equal(await page.getByTestId('announcement-link').count(), 1, 'a public hearing links its announcement');
  await page.screenshot({ path: join(ARTIFACTS, 'hearing-plan.png'), fullPage: true });

  // A second hearing, of another case found by searching, for the same host in
  // the same room an hour later: refused, naming the host, the room and the first hearing.
  await page.goto(url + '/cases');
  await hydrated(page);
  await page.getByTestId('case-search').fill('社保补缴');
  await page.getByTestId('case-search-submit').click();
  await page.waitForURL(/q=/);
  // The list reloads after the URL changes: wait for the filtered rows, not the old ones.
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="case-list"] tbody tr').length === 1,
    null,
    { timeout: 10_000 },
  );
  await page.getByTestId('case-list').locator('tbody tr a').first().click();
  await page.getByTestId('schedule-hearing').click();
  await page.getByTestId('hearing-form').waitFor();
  await hydrated(page);
  const secondTitle = await page.getByTestId('plan-title').inputValue();
  await fillPlan(page, { date: day, time: '10:00', room: ROOM });
  await page.getByTestId('plan-submit').click();
  const conflict = page.getByTestId('plan-error');
  await conflict.waitFor();
  const message = await conflict.textContent();
  assert.match(message, /张主持/, 'names the double-booked host');
  assert.ok(message.includes(`听证室「${ROOM}」`), `names the room: ${message}`);
  assert.ok(message.includes(`「${firstTitle}」`), `names the other hearing: ${message}`);
  assert.ok(message.includes(`${zhDate(day)} 09:00`), `says when the other hearing is: ${message}`);
  // Everything typed is still there, so only the time needs fixing.
  assert.equal(await page.getByTestId('plan-room').inputValue(), ROOM);
  assert.equal(await page.getByTestId('plan-date').inputValue(), day);
  assert.equal(await page.getByTestId('plan-title').inputValue(), secondTitle);
  await page.screenshot({ path: join(ARTIFACTS, 'hearing-conflict.png'), fullPage: true });

  await page.getByTestId('plan-time').fill('14:00');
  await page.getByTestId('plan-submit').click();
  await page.waitForURL(/\/hearings\/[^/]+\/plan$/);
  await page.getByTestId('plan-heading').filter({ hasText: secondTitle }).waitFor();
  assert.notEqual(page.url().split('/').at(-2), firstId);

  // The office calendar shows both on that day.
  await page.goto(`${url}/calendar?view=week&date=${day}`);
  await hydrated(page);
  const cell = page.locator(`[data-testid="calendar-grid"] [data-date="${day}"]`);
  await cell.getByTestId('calendar-item').nth(1).waitFor();
  assert.equal(await cell.getByTestId('calendar-item').count(), 2);
  await page.screenshot({ path: join(ARTIFACTS, 'calendar-week.png'), fullPage: true });
  await context.close();

  // 听证公告: anybody, without logging in, sees the public hearing announced.
  const anonymous = await env.browser.newContext();
  const visitor = await anonymous.newPage();
  const response = await visitor.goto(`${url}/public/hearings/${firstId}/announcement`);
  assert.equal(response.status(), 200);
  const body = await visitor.locator('body').textContent();
  assert.ok(body.includes(firstTitle), 'the announcement names the hearing');
  assert.ok(body.includes(CASE_NUMBER), 'the announcement names the case');
  assert.ok(body.includes(`${zhDate(day)} 09:00`) || body.includes(`${day} 09:00`), 'the announcement says when');
  await visitor.screenshot({ path: join(ARTIFACTS, 'announcement.png'), fullPage: true });

  // A citizen starts from the login page's link to 听证公告, opens the public
  // hearing's observer page, and its way back leads to the list, not a login.
  await visitor.goto(`${url}/login`);
  await visitor.getByTestId('login-public-list').click();
  const listed = visitor.locator(`[data-testid="public-list-hearing"][data-id="${firstId}"]`);
  await listed.waitFor();
  assert.ok((await listed.textContent()).includes(firstTitle));
  await visitor.screenshot({ path: join(ARTIFACTS, 'public-list.png'), fullPage: true });
  await listed.getByTestId('public-list-observe').click();
  await visitor.locator('[data-testid="live-status"][data-status="connected"]').waitFor({ timeout: 15_000 });
  await visitor.getByTestId('back-to-public-list').click();
  await visitor.getByTestId('public-list').waitFor();
  assert.ok(visitor.url().endsWith('/public/hearings'));
  await anonymous.close();
});

test('the pages people use on phones fit a 390 px screen', async () => {
  const url = env.server.url;
  for (const [username, path, ready] of [
    ['juror', '/my', 'my-hearing'],
    ['host', '/my', 'my-hearing'],
    ['host', '/cases', 'case-list'],
  ]) {
    const context = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await logIn(page, url, username);
    await page.goto(url + path);
    await hydrated(page);
    await page.getByTestId(ready).first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} as ${username} scrolls sideways (${width}px)`);
    await page.screenshot({
      path: join(ARTIFACTS, `phone-${username}${path.replaceAll('/', '-')}.png`),
      fullPage: true,
    });
    await context.close();
  }
});
