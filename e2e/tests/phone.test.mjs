// A juror on a weak 4G signal (issue #19): Chromium throttled as a slow phone
// (CDP: 150 ms RTT, 1.6 Mbps down, 750 kbps up, CPU 4× slower), cold cache.
// Records when the login page is readable and working, when a juror's room is
// live from a cold cache, and what a repeat visit downloads. It asserts what a
// browser must do (work at all under the throttle; a repeat visit fetches no
// script or wasm, the bundle being named by its content and immutable); the
// seconds are figures for docs/PERFORMANCE.md, printed and saved in
// e2e/artifacts/phone-figures.json, not timed assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndBrowser, DEMO_PASSWORD, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();

/** Slow 4G as issue #19 measures it. */
const SLOW_4G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6e6 / 8) | 0,
  uploadThroughput: (750e3 / 8) | 0,
};

/**
 * A throttled phone page, and a meter of the script and wasm bytes its
 * network brought in (bytes on the wire, 0 for what came from a cache).
 */
async function throttledPhone(browser) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const urls = new Map();
  const meter = { bundleBytes: 0, bundleFiles: new Set() };
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId) ?? '';
    if (/\/pkg\/[^?]*\.(js|wasm)(\?|$)/.test(url) && e.encodedDataLength > 0) {
      meter.bundleBytes += e.encodedDataLength;
      meter.bundleFiles.add(`${url.replace(/^.*\/pkg\//, '')} (${e.encodedDataLength} B)`);
    }
  });
  meter.reset = () => {
    meter.bundleBytes = 0;
    meter.bundleFiles = new Set();
  };
  return { context, page, cdp, meter };
}

const seconds = (ms) => Math.round(ms / 100) / 10;

test('a juror on a slow phone: the login works, her room goes live from a cold cache, a repeat visit downloads no script', async () => {
  const url = env.server.url;
  const { context, page, cdp, meter } = await throttledPhone(env.browser);
  const figures = { throttle: { ...SLOW_4G, cpuSlowdown: 4 } };

  // Cold: the login page, readable (HTML) and working (hydrated).
  let started = Date.now();
  await page.goto(`${url}/login`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  figures.login_readable_s = seconds(Date.now() - started);
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 90_000 });
  figures.login_working_s = seconds(Date.now() - started);
  figures.login_bundle_bytes = meter.bundleBytes;
  assert.ok(
    [...meter.bundleFiles].every((f) => /^pingyi-[0-9a-f]{16}(\.js|_bg\.wasm|-snippets\/\S+\.js) /.test(f)),
    `the bundle is named by its content: ${[...meter.bundleFiles]}`,
  );
  assert.ok(meter.bundleBytes > 0, 'a cold visit downloads the bundle');

  await page.getByTestId('login-username').fill('juror');
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('account').waitFor({ timeout: 60_000 });

  // A repeat visit (her list of hearings): nothing of the bundle on the wire.
  meter.reset();
  started = Date.now();
  await page.goto(`${url}/my`, { timeout: 60_000 });
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 90_000 });
  figures.repeat_working_s = seconds(Date.now() - started);
  figures.repeat_bundle_bytes = meter.bundleBytes;
  assert.equal(meter.bundleBytes, 0, `a repeat visit fetched ${[...meter.bundleFiles]}`);

  // Her room from a cold cache (a phone that was cleared): live when the
  // socket is up.
  const room = await page.getByTestId('my-enter-room').first().getAttribute('href');
  await cdp.send('Network.clearBrowserCache');
  meter.reset();
  started = Date.now();
  await page.goto(url + room, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  figures.room_readable_s = seconds(Date.now() - started);
  await page.locator('[data-testid="live-status"][data-status="connected"]').waitFor({ timeout: 90_000 });
  figures.room_live_s = seconds(Date.now() - started);
  figures.room_bundle_bytes = meter.bundleBytes;
  await page.screenshot({ path: join(ARTIFACTS, 'phone-juror-room-slow4g.png'), fullPage: true });

  console.log(`phone-figures: ${JSON.stringify(figures)}`);
  writeFileSync(join(ARTIFACTS, 'phone-figures.json'), JSON.stringify(figures, null, 2) + '\n');
  await context.close();
});
