// Accounts in the browser: each role logs in and sees its own menu and name;
// a wrong password gets a Chinese error; logout really logs out (the back
// button shows nothing private).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Server, launchBrowser, logIn, DEMO_PASSWORD, ARTIFACTS } from '../harness.mjs';

const server = new Server();
let browser;

before(async () => {
  await server.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server.stop();
});

const ROLES = [
  ['admin', '王管理', '管理员'],
  ['host', '张主持', '主持人'],
  ['clerk', '李记录', '记录员'],
  ['archivist', '陈档案', '档案员'],
  ['juror', '刘评议', '评议员'],
];

test('each role logs in and sees its name, its role and its menu', async () => {
  for (const [username, name, role] of ROLES) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await logIn(page, server.url, username);
    const account = page.getByTestId('account');
    assert.match(await account.textContent(), new RegExp(`${name}.*${role}`));
    const menu = (await page.getByTestId('menu').textContent()).trim();
    assert.equal(menu, '听证评议会', `${username} menu`);
    await page.screenshot({ path: join(ARTIFACTS, `login-${username}.png`) });
    await context.close();
  }
});

test('a wrong password gets a clear Chinese error and no session', async () => {
  const context = await browser.newContext();
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
  const context = await browser.newContext();
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
  void DEMO_PASSWORD;
});
