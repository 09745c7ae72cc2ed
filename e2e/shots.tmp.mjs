import { chromium } from 'playwright-core';
const base = 'http://127.0.0.1:3999';
const out = '/tmp/shots/';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
async function login(user, viewport = { width: 1280, height: 900 }) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log('PAGEERROR', user, page.url(), e.message));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('CONSOLE', m.type(), page.url(), m.text().slice(0, 300)); });
  await page.goto(base + '/login');
  await page.locator('html[data-hydrated="true"]').waitFor();
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill('pingyi-demo');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('account').waitFor();
  return { ctx, page };
}
async function shot(page, path, name) {
  await page.goto(base + path);
  await page.locator('html[data-hydrated="true"]').waitFor();
  await page.waitForTimeout(700);
  await page.screenshot({ path: out + name + '.png', fullPage: true });
}
const pages = process.argv.slice(2);
const { page } = await login('host');
await shot(page, '/cases', 'cases');
await shot(page, '/cases?overdue=1', 'cases-overdue');
await shot(page, '/cases/new', 'case-new');
const href = await page.goto(base + '/cases').then(() => page.locator('[data-testid="case-list"] tbody a').first().getAttribute('href'));
await shot(page, href, 'case-detail');
await shot(page, href + '/edit', 'case-edit');
const id = href.split('/').at(-1);
await shot(page, '/hearings/new?case=' + id, 'hearing-new');
await shot(page, '/calendar', 'calendar-week');
await shot(page, '/calendar?view=month', 'calendar-month');
await shot(page, '/my', 'my');
await shot(page, '/cases/import', 'import');
const planHref = await page.goto(base + '/calendar?view=month').then(async () => { await page.locator('html[data-hydrated="true"]').waitFor(); return page.locator('[data-testid="calendar-item"]').first().getAttribute('href'); });
await shot(page, planHref, 'plan');
const a = await login('admin');
await shot(a.page, '/admin/settings', 'settings');
const j = await login('juror', { width: 390, height: 844 });
await shot(j.page, '/my', 'phone-my-juror');
const h = await login('host', { width: 390, height: 844 });
await shot(h.page, '/cases', 'phone-cases');
await shot(h.page, '/my', 'phone-my-host');
await shot(h.page, '/calendar', 'phone-calendar');
await browser.close();
