// Evidence intake (issue #6) in the browser: a party opens its invitation link on
// a phone, uploads two files with a progress bar each and sees them numbered
// with their SHA-256; the host sees them, releases one to the panel and shows it
// in the room; the panel member sees only the released one, and the room's
// screen follows the host live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { serverAndBrowser, logIn, openRoom, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();

async function hydrated(page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
}

const sha256 = (buffer) => createHash('sha256').update(buffer).digest('hex');

/** A 1×1 PNG padded after IEND to `size` bytes, so the upload takes a moment. */
function png(size) {
  const head = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 7)]);
}

/** A small, well-formed one-page PDF. */
function pdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

test('a party files two exhibits from a phone, the host releases one to the panel and shows it live', async () => {
  const url = env.server.url;
  const errors = [];
  const watch = (page) => page.on('pageerror', (e) => errors.push(e.message));

  // The host invites the petitioner of the held demo hearing.
  const hostContext = await env.browser.newContext();
  const host = await hostContext.newPage();
  watch(host);
  await logIn(host, url, 'host');
  const hearings = await host.evaluate(async () => (await fetch('/rpc/list_hearings', { method: 'POST' })).json());
  const hearing = hearings.find((h) => h.title.includes('农民工工资'));
  assert.ok(hearing, 'the held demo hearing');
  await host.goto(`${url}/hearings/${hearing.id}`);
  await hydrated(host);
  await host.getByTestId('invite-name').fill('张某某');
  await host.getByTestId('invite-submit').click();
  const link = (await host.getByTestId('invite-url').textContent()).trim();

  // The petitioner, on a phone, enters and files two exhibits.
  const phone = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const party = await phone.newPage();
  watch(party);
  await party.goto(link);
  await party.getByTestId('invite-enter').click();
  await party.getByTestId('hearing-title').waitFor();
  // A click during hydration can be lost: follow the link once the page is live.
  await hydrated(party);
  await party.getByTestId('evidence-link').click();
  await party.getByTestId('upload').waitFor();
  await hydrated(party);
  const photo = png(1_500_000);
  const contract = pdf();
  await party.getByTestId('upload-input').setInputFiles([
    { name: '欠条照片.png', mimeType: 'image/png', buffer: photo },
    { name: '劳务合同.pdf', mimeType: 'application/pdf', buffer: contract },
  ]);
  const rows = party.getByTestId('upload-row');
  await rows.nth(1).waitFor();
  assert.equal(await rows.nth(0).getByTestId('upload-title').inputValue(), '欠条照片');
  await rows.nth(0).getByTestId('upload-purpose').fill('证明欠付工资数额');
  await rows.nth(1).getByTestId('upload-purpose').fill('证明劳务关系');
  // Record every value the progress bars take.
  await party.evaluate(() => {
    window.__progress = [];
    const observer = new MutationObserver((changes) => {
      for (const c of changes) window.__progress.push(Number(c.target.getAttribute('data-progress')));
    });
    for (const bar of document.querySelectorAll('[data-testid="upload-progress"]')) {
      observer.observe(bar, { attributes: true, attributeFilter: ['data-progress'] });
    }
  });
  await party.screenshot({ path: join(ARTIFACTS, 'evidence-upload-phone.png'), fullPage: true });
  await party.getByTestId('upload-submit').click();
  for (const i of [0, 1]) {
    await rows.nth(i).locator('[data-testid="upload-status"][data-state="done"]').waitFor({ timeout: 20_000 });
    assert.equal(await rows.nth(i).getByTestId('upload-progress').getAttribute('data-progress'), '100');
  }
  const seen = await party.evaluate(() => window.__progress);
  assert.ok(seen.some((p) => p > 0 && p < 100), `progress shown on the way: ${seen}`);
  assert.ok(seen.includes(100));

  // Numbered per side, with the hash of exactly the bytes sent.
  const listed = party.getByTestId('exhibit-row');
  await party.locator('[data-testid="exhibit-row"][data-label="申-2"]').waitFor();
  assert.equal(await listed.count(), 2);
  const shaOf = async (page, label) =>
    (await page.locator(`[data-testid="exhibit-row"][data-label="${label}"] [data-testid="exhibit-sha"]`).textContent()).trim();
  const sent = { '欠条照片': sha256(photo), '劳务合同': sha256(contract) };
  const titles = await listed.locator('.exhibit-title').allTextContents();
  assert.deepEqual(titles, ['欠条照片', '劳务合同']);
  assert.equal(await shaOf(party, '申-1'), sent['欠条照片']);
  assert.equal(await shaOf(party, '申-2'), sent['劳务合同']);
  await party.screenshot({ path: join(ARTIFACTS, 'evidence-filed-phone.png'), fullPage: true });

  // The host sees both and releases 申-1 to the panel.
  await host.goto(`${url}/hearings/${hearing.id}/evidence`);
  await hydrated(host);
  await host.locator('[data-testid="exhibit-row"][data-label="申-2"]').waitFor();
  assert.equal(await shaOf(host, '申-1'), sent['欠条照片']);
  const first = host.locator('[data-testid="exhibit-row"][data-label="申-1"]');
  await first.getByTestId('release-toggle').click();
  await first.getByTestId('released-badge').waitFor();
  await first.getByTestId('preview-toggle').click();
  await first.getByTestId('preview-image').waitFor();
  // The contract's pages are drawn as pictures (pdf.js), not in the browser's PDF viewer.
  const second = host.locator('[data-testid="exhibit-row"][data-label="申-2"]');
  await second.getByTestId('preview-toggle').click();
  await second.locator('[data-testid="preview-pdf"][data-page="1"]').waitFor({ timeout: 8_000 });
  assert.equal(await second.locator('iframe').count(), 0);
  const next = second.getByTestId('preview-next');
  assert.equal((await next.textContent()).trim(), '下一页');
  assert.ok(await next.isDisabled(), 'a one-page PDF has no next page');
  await host.getByTestId('integrity-check').click();
  await host.getByTestId('integrity-ok').filter({ hasText: '2' }).waitFor();
  await host.screenshot({ path: join(ARTIFACTS, 'evidence-host.png'), fullPage: true });

  // The panel member sees the released exhibit only.
  const jurorContext = await env.browser.newContext();
  const juror = await jurorContext.newPage();
  watch(juror);
  await logIn(juror, url, 'juror');
  await juror.goto(`${url}/hearings/${hearing.id}/evidence`);
  await hydrated(juror);
  await juror.locator('[data-testid="exhibit-row"][data-label="申-1"]').waitFor();
  assert.equal(await juror.getByTestId('exhibit-row').count(), 1);

  // The host shows it in the room: the member's screen follows within a second or two.
  const room = await openRoom(jurorContext, `${url}/hearings/${hearing.id}`);
  watch(room);
  // Not before the hearing sits: the host is told why, in Chinese.
  await first.getByTestId('show-live').click();
  await first.getByTestId('show-error').filter({ hasText: '听证会开始后' }).waitFor();
  const started = await host.evaluate(async (id) => (await fetch('/rpc/step_procedure', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hearing_id: id, step: { step: 'start' } }),
  })).status, hearing.id);
  assert.equal(started, 200);
  await room.locator('[data-testid="procedure"][data-stage="opening"]').waitFor({ timeout: 3_000 });
  await first.getByTestId('show-live').click();
  await room.locator('[data-testid="on-screen"][data-label="申-1"]').waitFor({ timeout: 3_000 });
  assert.equal((await room.getByTestId('on-screen-sha').textContent()).trim(), sent['欠条照片']);
  await room.getByTestId('preview-image').waitFor();
  await room.screenshot({ path: join(ARTIFACTS, 'room-exhibit-shown.png'), fullPage: true });

  assert.deepEqual(errors, [], 'no page errors');
  await Promise.all([hostContext.close(), phone.close(), jurorContext.close()]);
});
