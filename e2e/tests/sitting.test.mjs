// The live room (issue #7) in three browsers: the host opens the hearing and
// moves through the stages, gives the floor with a countdown and shows an
// exhibit; a panel member and a public observer follow within a second; in the
// closed deliberation the member writes and the observer sees only "评议中".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, logIn, openRoom, bringForward, twoPagePdf, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();

test('host, panel member and observer share the room; the observer never sees the deliberation', async () => {
  const url = env.server.url;
  const errors = [];
  const watch = (page) => page.on('pageerror', (e) => errors.push(e.message));

  // The demo's public hearing on a homestead boundary has a drawn panel; its
  // first seated member (whoever the draw seated) gets a password from the
  // administrator to take part.
  const adminContext = await env.browser.newContext();
  const admin = await adminContext.newPage();
  await logIn(admin, url, 'admin');
  const hearings = await admin.evaluate(async () => (await fetch('/rpc/list_hearings', { method: 'POST' })).json());
  const hearing = hearings.find((h) => h.title.includes('宅基地'));
  assert.ok(hearing, 'the public demo hearing with a panel');
  const { status, username } = await admin.evaluate(async (hearingId) => {
    const form = new URLSearchParams({ hearing_id: hearingId });
    const panel = await (await fetch('/rpc/panel_view', { method: 'POST', body: form })).json();
    const seat = panel.panel.seats.find((s) => ['invited', 'accepted'].includes(s.status));
    const username = seat.holder.member_id.toLowerCase();
    const accounts = await (await fetch('/rpc/list_accounts', { method: 'POST' })).json();
    const member = accounts.find((a) => a.username === username);
    const res = await fetch('/rpc/change_account', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account_id: member.id, change: { Password: 'pingyi-demo' } }),
    });
    return { status: res.status, username };
  }, hearing.id);
  assert.equal(status, 200);
  await adminContext.close();

  const hostContext = await env.browser.newContext();
  const hostHome = await hostContext.newPage();
  await logIn(hostHome, url, 'host');
  // Planned two weeks ahead: the host first brings it forward to now (改期).
  for (const status of await bringForward(hostHome, hearing.id)) assert.equal(status, 200);
  const host = await openRoom(hostContext, `${url}/hearings/${hearing.id}`);
  watch(host);

  const jurorContext = await env.browser.newContext();
  await logIn(await jurorContext.newPage(), url, username);
  const juror = await openRoom(jurorContext, `${url}/hearings/${hearing.id}`);
  watch(juror);

  const observerContext = await env.browser.newContext();
  const observer = await openRoom(observerContext, `${url}/public/hearings/${hearing.id}`);
  watch(observer);

  const stageIs = (page, stage) =>
    page.locator(`[data-testid="procedure"][data-stage="${stage}"]`).waitFor({ timeout: 1_500 });

  // Opening, then the petitioner's statement: everyone follows within a second or so.
  await host.getByTestId('step-start').click();
  await Promise.all([stageIs(juror, 'opening'), stageIs(observer, 'opening')]);
  // 签到: the host marks a panel member present, picked from the seated members.
  await host.getByTestId('attendance-part').selectOption('juror');
  const memberPicker = host.getByTestId('attendance-member');
  await memberPicker.selectOption({ index: 1 });
  const memberName = (await memberPicker.locator('option:checked').textContent()).trim();
  await host.getByTestId('attendance-submit').click();
  await juror.locator('[data-testid="attendance-list"] li[data-presence="in_room"]')
    .filter({ hasText: memberName }).waitFor({ timeout: 3_000 });
  await host.getByTestId('step-advance').click();
  await Promise.all([stageIs(juror, 'petitioner_statement'), stageIs(observer, 'petitioner_statement')]);

  // The floor with a countdown everybody sees.
  await host.getByTestId('floor-name').fill('张某某');
  await host.getByTestId('floor-minutes').fill('3');
  await host.getByTestId('floor-give').click();
  await observer.getByTestId('floor-speaker').filter({ hasText: '张某某' }).waitFor({ timeout: 1_500 });
  await observer.getByTestId('countdown').filter({ hasText: /^0[23]:\d\d$/ }).waitFor({ timeout: 3_000 });
  await host.screenshot({ path: join(ARTIFACTS, 'room-host-floor.png'), fullPage: true });

  // The host files a photo and shows it: the member and the observer see it at once.
  const exhibitId = await host.evaluate(async (hearingId) => {
    const png = Uint8Array.from(
      atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='),
      (c) => c.charCodeAt(0),
    );
    const form = new FormData();
    form.append('submitter', 'office');
    form.append('title', '现场照片');
    form.append('file', new Blob([png], { type: 'image/png' }), 'photo.png');
    const res = await fetch(`/hearings/${hearingId}/exhibits`, { method: 'POST', body: form });
    return (await res.json()).id;
  }, hearing.id);
  assert.ok(exhibitId, 'the exhibit was filed');
  const shown = await host.evaluate(
    async (id) => (await fetch('/rpc/show_exhibit', { method: 'POST', body: new URLSearchParams({ exhibit_id: id }) })).status,
    exhibitId,
  );
  assert.equal(shown, 200);
  await Promise.all([
    juror.locator('[data-testid="on-screen"][data-label="听-1"]').waitFor({ timeout: 1_500 }),
    observer.locator('[data-testid="on-screen"][data-label="听-1"]').waitFor({ timeout: 1_500 }),
  ]);
  await observer.getByTestId('preview-image').waitFor();

  // A two-page PDF on every screen: the host turns the page, the others follow.
  const pdfShown = await host.evaluate(async ([hearingId, pdf]) => {
    const form = new FormData();
    form.append('submitter', 'office');
    form.append('title', '不动产登记簿');
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'register.pdf');
    const filed = await fetch(`/hearings/${hearingId}/exhibits`, { method: 'POST', body: form });
    const { id } = await filed.json();
    const res = await fetch('/rpc/show_exhibit', { method: 'POST', body: new URLSearchParams({ exhibit_id: id }) });
    return res.status;
  }, [hearing.id, twoPagePdf()]);
  assert.equal(pdfShown, 200);
  for (const page of [juror, observer]) {
    await page.locator('[data-testid="on-screen"][data-label="听-2"]').waitFor({ timeout: 1_500 });
  }
  await host.getByTestId('page-next').click();
  for (const page of [juror, observer]) {
    await page.getByTestId('on-screen-page').filter({ hasText: '第 2 页' }).waitFor({ timeout: 1_500 });
    // The page itself, drawn by pdf.js (not the browser's PDF viewer).
    await page.locator('[data-testid="preview-pdf"][data-page="2"][data-pages="2"]').waitFor({ timeout: 8_000 });
  }
  await observer.screenshot({ path: join(ARTIFACTS, 'room-observer-pdf-page2.png'), fullPage: true });

  // On to the debate.
  for (const stage of ['agency_statement', 'cross_examination', 'panel_questions', 'debate']) {
    await host.getByTestId('step-advance').click();
    await stageIs(host, stage);
  }

  // The host records a line and corrects it: the member sees the new wording
  // live, and the old one in the line's history.
  await host.getByTestId('record-input').fill('信访人称宅基地东侧界址为老墙。');
  await host.getByTestId('record-submit').click();
  await juror.getByTestId('record-text').filter({ hasText: '老墙' }).waitFor({ timeout: 1_500 });
  await host.getByTestId('record-correct').first().click();
  await host.getByTestId('record-correct-input').fill('信访人称宅基地东侧界址为老围墙外沿。');
  await host.getByTestId('record-correct-save').click();
  await juror.getByTestId('record-text').filter({ hasText: '老围墙外沿' }).waitFor({ timeout: 1_500 });
  await juror.locator('[data-corrected="true"] .corrections').waitFor();

  // Through to the closed deliberation.
  for (const stage of ['final_statements', 'deliberation']) {
    await host.getByTestId('step-advance').click();
    await stageIs(host, stage);
  }
  await Promise.all([stageIs(juror, 'deliberation'), stageIs(observer, 'deliberation')]);
  await observer.getByTestId('deliberating').waitFor();
  // The screens went blank with the closed session.
  assert.equal(await observer.getByTestId('on-screen').count(), 0);
  await juror.getByTestId('deliberation-input').fill('欠薪事实清楚，建议支持信访人诉求。');
  await juror.getByTestId('deliberation-submit').click();
  await host.getByTestId('deliberation').filter({ hasText: '欠薪事实清楚' }).waitFor({ timeout: 1_500 });
  // Give the observer's socket time to receive the (withheld) event, then check.
  await observer.waitForTimeout(500);
  assert.equal(await observer.getByTestId('deliberation').count(), 0);
  assert.ok(!(await observer.content()).includes('欠薪事实清楚'), 'the observer never sees the deliberation');
  // Behind closed doors the public record waits: the form says so in Chinese
  // and takes nothing (the server refuses it too: server/tests/integration).
  await host.getByTestId('record-input').fill('评议中不应记入公开笔录。');
  await host.getByTestId('record-not-now').filter({ hasText: '不公开' }).waitFor({ timeout: 1_500 });
  assert.ok(await host.getByTestId('record-submit').isDisabled(), 'nothing is sent');
  await juror.screenshot({ path: join(ARTIFACTS, 'room-juror-deliberation.png'), fullPage: true });
  await observer.screenshot({ path: join(ARTIFACTS, 'room-observer-deliberating.png'), fullPage: true });

  // The member's private notes are saved for them alone.
  await juror.getByTestId('notes-input').fill('核对 1998 年土地证附图。');
  await juror.getByTestId('notes-save').click();
  await juror.getByTestId('notes-saved').waitFor();
  assert.equal(await host.getByTestId('private-notes').count(), 0, 'the host has no notes panel of the member');

  assert.deepEqual(errors, [], 'no page errors');
  await Promise.all([hostContext.close(), jurorContext.close(), observerContext.close()]);
});
