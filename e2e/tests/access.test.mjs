// Accounts in the browser: each role logs in and sees its own menu and name;
// a wrong password gets a Chinese error; logout really logs out (the back
// button shows nothing private).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, logIn, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();
const server = env.server;

// username, name, role, the menu that role sees
const ROLES = [
  ['admin', '王管理', '管理员', '听证评议会信访事项日历评议团回访统计档案账户管理审计日志设置'],
  ['host', '张主持', '主持人', '听证评议会信访事项日历评议团我的听证回访'],
  ['clerk', '李记录', '记录员', '听证评议会信访事项日历评议团我的听证回访'],
  ['archivist', '陈档案', '档案员', '听证评议会信访事项档案'],
  ['juror', '刘评议', '评议员', '听证评议会我的听证'],
  ['head', '周局长', '局领导', '信访事项统计档案'],
];

test('each role logs in and sees its name, its role and its menu', async () => {
  for (const [username, name, role, expectedMenu] of ROLES) {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await logIn(page, server.url, username);
    const account = page.getByTestId('account');
    assert.match(await account.textContent(), new RegExp(`${name}.*${role}`));
    const menu = (await page.getByTestId('menu').textContent()).trim();
    assert.equal(menu, expectedMenu, `${username} menu`);
    await page.screenshot({ path: join(ARTIFACTS, `login-${username}.png`) });
    await context.close();
  }
});

test('a wrong password gets a clear Chinese error and no session', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + '/login');
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  await page.getByTestId('login-username').fill('archivist');
  await page.getByTestId('login-password').fill('not-the-password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').filter({ hasText: '用户名或密码错误。' }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'login-error.png') });
  assert.equal(await page.getByTestId('account').count(), 0);
  await context.close();
});

test('logout really logs out, and the back button shows nothing private', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await logIn(page, server.url, 'host');
  await page.goto(server.url + '/');
  await page.getByText('海宁信访〔2026〕123号').waitFor();
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  await page.getByTestId('logout').click();
  await page.getByTestId('login-submit').waitFor();
  await page.goBack();
  await page.waitForLoadState();
  await page.getByTestId('refusal').filter({ hasText: '请先登录' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.getByText('海宁信访〔2026〕123号').count(), 0, 'no case data after logout');
  await context.close();
});

test('the administrator sees the accounts and the audit log', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await logIn(page, server.url, 'admin');
  await page.getByRole('link', { name: '账户管理' }).click();
  await page.locator('[data-testid="accounts"] tr[data-username="juror"]').waitFor();
  // Bad input: a short password is refused in Chinese and the form keeps what was typed.
  await page.getByTestId('new-username').fill('zhao');
  await page.getByTestId('new-display-name').fill('赵评议');
  await page.getByTestId('new-password').fill('short');
  await page.getByTestId('create-account').click();
  await page.getByTestId('create-error').filter({ hasText: '密码至少 8 位' }).waitFor();
  assert.equal(await page.getByTestId('new-username').inputValue(), 'zhao');
  await page.getByTestId('new-password').fill('long-enough-1');
  await page.getByTestId('create-account').click();
  await page.locator('[data-testid="accounts"] tr[data-username="zhao"]').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'admin-accounts.png'), fullPage: true });
  await page.getByRole('link', { name: '审计日志' }).click();
  await page.getByTestId('audit').getByText('account_created').first().waitFor();
  await context.close();
});

test('a party opens its invitation link, sees its hearing, and the link works only once', async () => {
  const hostContext = await env.browser.newContext();
  const host = await hostContext.newPage();
  await logIn(host, server.url, 'host');
  await host.goto(server.url + '/');
  // Today's hearing (the one already held is finalised: no more invitations).
  const href = await host.locator('[data-testid="hearing-list"] a').filter({ hasText: '农民工工资' }).getAttribute('href');
  await host.goto(server.url + href);
  await host.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  await host.getByTestId('invite-name').fill('王某某');
  await host.getByTestId('invite-submit').click();
  const url = (await host.getByTestId('invite-url').textContent()).trim();
  await host.locator('[data-testid="invite-link"] svg').waitFor();
  await host.screenshot({ path: join(ARTIFACTS, 'invite-host.png'), fullPage: true });

  const partyContext = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
  const party = await partyContext.newPage();
  await party.goto(url);
  await party.getByTestId('invite-hearing').filter({ hasText: '听证评议会' }).waitFor();
  await party.screenshot({ path: join(ARTIFACTS, 'invite-confirm-phone.png') });
  await party.getByTestId('invite-enter').click();
  await party.getByTestId('hearing-title').waitFor();
  await party.getByTestId('account').filter({ hasText: '王某某' }).waitFor();
  assert.equal(await party.getByTestId('record-input').count(), 0, 'a party cannot write the record');
  await party.screenshot({ path: join(ARTIFACTS, 'invite-party-phone.png'), fullPage: true });

  const strangerContext = await env.browser.newContext();
  const stranger = await strangerContext.newPage();
  const response = await stranger.goto(url);
  assert.equal(response.status(), 410);
  await stranger.getByText('该链接已被使用过').waitFor();
  await stranger.screenshot({ path: join(ARTIFACTS, 'invite-reused.png') });
  await Promise.all([hostContext.close(), partyContext.close(), strangerContext.close()]);
});
