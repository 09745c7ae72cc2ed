// Voting (issue #8) in nine browsers: seven panel members vote in a secret ballot
// from their own screens (one changes the vote), the host closes it, and every
// screen — members, host, public observer — shows the same result. The observer
// never sees a name against a choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser, logIn, openRoom, bringForward, ARTIFACTS } from '../harness.mjs';

const env = serverAndBrowser();

test('seven members vote secretly, one changes the vote, all screens agree on the result', async () => {
  const url = env.server.url;
  const errors = [];
  const watch = (page) => page.on('pageerror', (e) => errors.push(e.message));

  // The demo's public hearing on a homestead boundary has a drawn panel of seven;
  // the administrator gives each seated member a password to take part online.
  const adminContext = await env.browser.newContext();
  const admin = await adminContext.newPage();
  await logIn(admin, url, 'admin');
  const { hearing, members } = await admin.evaluate(async () => {
    const post = async (name, body) => {
      const res = await fetch(`/rpc/${name}`, {
        method: 'POST',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return res.json();
    };
    const hearings = await post('list_hearings');
    const hearing = hearings.find((h) => h.title.includes('宅基地'));
    const form = new URLSearchParams({ hearing_id: hearing.id });
    const panel = await (await fetch('/rpc/panel_view', { method: 'POST', body: form })).json();
    const seated = panel.panel.seats.filter((s) => ['invited', 'accepted'].includes(s.status));
    const accounts = await post('list_accounts');
    const members = [];
    for (const seat of seated) {
      const username = seat.holder.member_id.toLowerCase();
      const account = accounts.find((a) => a.username === username);
      await post('change_account', { account_id: account.id, change: { Password: 'pingyi-demo' } });
      members.push({ username, name: seat.holder.name });
    }
    return { hearing, members };
  });
  assert.equal(members.length, 7, 'seven seated members');
  await adminContext.close();

  const hostContext = await env.browser.newContext();
  const hostHome = await hostContext.newPage();
  await logIn(hostHome, url, 'host');
  // Planned two weeks ahead: the host first brings it forward to now (改期),
  // with the two questions the panel is to vote on (表决事项).
  const planned = ['信访人补办宅基地证的诉求是否合理', '镇政府的处理是否得当'];
  for (const status of await bringForward(hostHome, hearing.id, { questions: planned })) assert.equal(status, 200);
  const host = await openRoom(hostContext, `${url}/hearings/${hearing.id}`);
  watch(host);

  // Into the closed deliberation: start, then seven stages on.
  await host.getByTestId('step-start').click();
  await host.locator('[data-testid="procedure"][data-stage="opening"]').waitFor();
  const stages = ['petitioner_statement', 'agency_statement', 'cross_examination', 'panel_questions', 'debate', 'final_statements', 'deliberation'];
  for (const stage of stages) {
    await host.getByTestId('step-advance').click();
    await host.locator(`[data-testid="procedure"][data-stage="${stage}"]`).waitFor({ timeout: 3_000 });
  }

  // Seven members on phones, each checks in.
  const screens = [];
  for (const member of members) {
    const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await logIn(await context.newPage(), url, member.username);
    const page = await openRoom(context, `${url}/hearings/${hearing.id}`);
    watch(page);
    await page.getByTestId('check-in').click();
    await page.getByTestId('attendance-list').filter({ hasText: member.name }).waitFor({ timeout: 3_000 });
    screens.push({ ...member, page });
  }
  // Every frame the observer's live socket receives, from before the ballot
  // opens: votes travel there, not in the page's HTML.
  const observerContext = await env.browser.newContext();
  const observerFrames = [];
  observerContext.on('page', (page) =>
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => observerFrames.push(String(payload)))),
  );
  const observer = await openRoom(observerContext, `${url}/public/hearings/${hearing.id}`);
  watch(observer);

  // The host puts the question (secret ballot, simple majority) and opens it.
  // The form starts from the first question planned at scheduling, then moves
  // on to the next one once that is put: nobody retypes what was planned.
  await host.getByTestId('new-ballot').locator('summary').click();
  assert.equal(await host.getByTestId('ballot-question-input').inputValue(), planned[0]);
  await host.getByTestId('ballot-draft-submit').click();
  await host.waitForFunction(
    (want) => document.querySelector('[data-testid="ballot-question-input"]')?.value === want,
    planned[1],
    { timeout: 3_000 },
  );
  await host.getByTestId('ballot-open').click();
  await host.locator('[data-testid="ballot-status"][data-status="open"]').waitFor({ timeout: 3_000 });

  // 支持 ×4, 不支持 ×2, and one 部分支持 that its member then changes to 支持.
  const choices = [0, 0, 0, 0, 2, 2, 1];
  const vote = async (page, option, label) => {
    await page.locator(`[data-testid="vote-option"][data-option="${option}"]`).click();
    await page.getByTestId('vote-confirm').waitFor();
    await page.getByTestId('vote-confirm-yes').click();
    try {
      await page.getByTestId('my-vote').filter({ hasText: `您已投：${label}` }).waitFor({ timeout: 3_000 });
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS, 'ballot-vote-failed.png'), fullPage: true });
      const why = await page.getByTestId('vote-form').innerText().catch(() => '(no vote form)');
      throw new Error(`vote for ${label} not confirmed on screen: ${why}\n${e.message}`);
    }
  };
  const labels = ['支持', '部分支持', '不支持'];
  // The sixth member's phone is flat: the host enters that vote, and it counts
  // only once the member confirms it on the clerk's screen with a one-time code
  // (never their password) — printed by the host for a member without a phone.
  const proxied = 5;
  for (const [i, screen] of screens.entries()) {
    await screen.page.locator('[data-testid="ballot-status"][data-status="open"]').waitFor({ timeout: 3_000 });
    if (i !== proxied) await vote(screen.page, choices[i], labels[choices[i]]);
  }
  await host.locator('.proxy-vote summary').click();
  await host.getByTestId('proxy-voter').selectOption({ label: screens[proxied].name });
  // A secret ballot: the host enters only the reason, never the choice.
  await host.getByTestId('proxy-secret-hint').waitFor();
  assert.equal(await host.getByTestId('proxy-option').count(), 0);
  await host.getByTestId('proxy-reason').fill('手机没电，本人到记录员处确认');
  await host.getByTestId('proxy-submit').click();
  await host.getByTestId('proxy-saved').waitFor({ timeout: 3_000 });
  // A member whose page is open sees the entry waiting for them, with a
  // button that shows them the code (their own phone, not the clerk's screen).
  await screens[proxied].page.getByTestId('my-proxy-entry').waitFor({ timeout: 8_000 });
  await host.getByTestId('proxy-print-code').click();
  const printed = (await host.getByTestId('proxy-printed-code').innerText()).trim();
  assert.match(printed, /^\d{6}$/, `a six-digit code to print: ${printed}`);
  await host.getByTestId('ballot-turnout').filter({ hasText: '已投票 6 / 7 人' }).waitFor({ timeout: 3_000 });
  const clerkContext = await env.browser.newContext();
  await logIn(await clerkContext.newPage(), url, 'clerk');
  const clerk = await openRoom(clerkContext, `${url}/hearings/${hearing.id}`);
  watch(clerk);
  // What the clerk's screen is told back: never a choice.
  const confirmations = [];
  clerk.on('response', async (res) => {
    if (res.url().includes('/rpc/confirm_proxy_vote')) confirmations.push(await res.text().catch(() => ''));
  });
  const waiting = clerk.getByTestId('proxy-pending').filter({ hasText: screens[proxied].name });
  await waiting.waitFor({ timeout: 6_000 });
  // The member chooses on the clerk's screen, then types the code from the slip.
  assert.equal(await waiting.locator('input[type="password"]').count(), 0, 'no password on the clerk screen');
  await waiting.getByTestId('proxy-choice').nth(choices[proxied]).check();
  await waiting.screenshot({ path: join(ARTIFACTS, 'ballot-clerk-proxy-pending.png') });
  const wrong = printed === '000000' ? '111111' : '000000';
  await waiting.getByTestId('proxy-code').fill(wrong);
  await waiting.getByTestId('proxy-confirm').click();
  await waiting.getByTestId('proxy-confirm-error').filter({ hasText: '验证码不正确' }).waitFor({ timeout: 3_000 });
  await waiting.getByTestId('proxy-code').fill(printed);
  await waiting.getByTestId('proxy-confirm').click();
  await clerk.getByTestId('proxy-none').waitFor({ timeout: 3_000 });
  assert.ok(confirmations.length >= 2, 'the refused and the accepted confirmation were seen');
  for (const body of confirmations) assert.ok(!body.includes('"option"'), `no choice in ${body}`);
  await clerk.screenshot({ path: join(ARTIFACTS, 'ballot-clerk-proxy-confirmed.png'), fullPage: true });
  const changer = screens[6].page;
  await changer.screenshot({ path: join(ARTIFACTS, 'ballot-member-voted.png'), fullPage: true });
  await vote(changer, 0, '支持');

  // The host sees who voted (all seven), never how; the observer nothing of the
  // ballot while the panel deliberates behind closed doors (#21).
  await host.getByTestId('ballot-turnout').filter({ hasText: '已投票 7 / 7 人' }).waitFor({ timeout: 3_000 });
  assert.equal(await observer.getByTestId('ballot-turnout').count(), 0, 'turnout reached the public');
  assert.equal(await host.getByTestId('named-votes').count(), 0);
  await host.screenshot({ path: join(ARTIFACTS, 'ballot-host-open.png'), fullPage: true });

  await host.getByTestId('ballot-close').click();
  const expected = '支持（5 票，达到过半数通过所需的 4 票）';
  for (const page of [host, ...screens.map((s) => s.page)]) {
    await page.getByTestId('ballot-outcome').filter({ hasText: expected }).waitFor({ timeout: 3_000 });
  }
  // The public learns the result at the announcement, not at the close.
  assert.equal(await observer.getByTestId('ballot-outcome').count(), 0, 'the result reached the public early');
  await screens[0].page.screenshot({ path: join(ARTIFACTS, 'ballot-member-closed.png'), fullPage: true });

  // The minutes (#9): the host records the conclusion, announces and closes; a
  // member and the host confirm; the host finalises and every screen shows it.
  await host.getByTestId('conclusion-text').fill('评议团多数意见认为信访人诉求合理，建议责任单位重新勘测确权边界。');
  await host.getByTestId('conclusion-save').click();
  await host.getByTestId('conclusion-saved').waitFor({ timeout: 3_000 });
  for (const stage of ['vote', 'announcement']) {
    await host.getByTestId('step-advance').click();
    await host.locator(`[data-testid="procedure"][data-stage="${stage}"]`).waitFor({ timeout: 3_000 });
  }
  // 宣布评议意见: now the observer has the result and the counts, and nowhere
  // on its page, nor in what its socket was sent, is a member named against a
  // choice.
  await observer.getByTestId('ballot-outcome').filter({ hasText: expected }).waitFor({ timeout: 3_000 });
  await observer.getByTestId('ballot-turnout').filter({ hasText: '已投票 7 / 7 人' }).waitFor({ timeout: 3_000 });
  const counts = await observer.getByTestId('ballot-counts').innerText();
  assert.match(counts, /支持\s+5/);
  assert.match(counts, /不支持\s+2/);
  await observer.screenshot({ path: join(ARTIFACTS, 'ballot-observer-closed.png'), fullPage: true });
  const observed = await observer.getByTestId('ballots').innerText();
  for (const { name } of screens) {
    assert.ok(!observed.includes(name), `observer ballot section names ${name}`);
  }
  assert.equal(await observer.getByTestId('named-votes').count(), 0);
  assertNoChoiceReached(observerFrames, members);
  await host.getByTestId('step-close').click();
  const member = screens[0].page;
  await member.getByTestId('minutes-confirm').click();
  await member.getByTestId('minutes-confirmed').waitFor({ timeout: 3_000 });
  // Finalising waits for the host's own confirmation.
  assert.equal(await host.getByTestId('minutes-finalise').isDisabled(), true);
  await host.getByTestId('minutes-confirm').click();
  await host.getByTestId('minutes-confirmed').waitFor({ timeout: 3_000 });
  await host.getByTestId('minutes-finalise').click();
  for (const page of [host, member]) {
    await page.locator('[data-testid="minutes-status"][data-status="final"]').waitFor({ timeout: 10_000 });
  }
  assert.match(await member.getByTestId('minutes-link').textContent(), /已签章/);
  // The open room offers nothing more to write once the log is sealed.
  await host.getByTestId('floor-give').waitFor({ state: 'hidden', timeout: 3_000 });
  assert.equal(await host.getByTestId('floor-give').isVisible(), false);
  assert.equal(await host.getByTestId('step-advance').isVisible(), false);
  await host.screenshot({ path: join(ARTIFACTS, 'minutes-finalised-host.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

/** The events in the live frames received (docs/live-protocol.md: `event` frames). */
function eventsIn(frames) {
  return frames
    .map((text) => {
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    })
    .filter((frame) => frame?.type === 'event')
    .map((frame) => frame.event);
}

/** Whether `value` holds, at any depth, an object that pairs a voter with an option. */
function pairsVoterWithChoice(value) {
  if (value === null || typeof value !== 'object') return false;
  const voter = ['voter', 'voter_id', 'name'].some((k) => typeof value[k] === 'string' && value[k] !== '');
  if (voter && 'option' in value) return true;
  return Object.values(value).some(pairsVoterWithChoice);
}

/**
 * The secret ballot as the public socket carried it (#21): nothing of the ballot
 * while the panel deliberated — no opening, no "has voted", no close — each of
 * those a withheld seq without a hash; then the result with the announcement,
 * counts only. The announcement must be there, or the check proves nothing.
 */
function assertNoChoiceReached(frames, members) {
  const events = eventsIn(frames);
  const payloads = events.map((e) => e.payload);
  for (const type of ['ballot_drafted', 'ballot_opened', 'vote_sealed', 'ballot_closed', 'opinion_given']) {
    assert.deepEqual(payloads.filter((p) => p.type === type), [], `${type} reached the observer`);
  }
  const announced = payloads.filter((p) => p.type === 'results_announced');
  assert.equal(announced.length, 1, `the observer got the announcement (${frames.length} frames)`);
  const result = announced[0].ballots.at(-1).result;
  assert.equal(result.voted, members.length, 'turnout is announced');
  assert.equal(announced[0].ballots.at(-1).named, undefined, 'no named votes announced');
  for (const e of events.filter((e) => e.payload.type === 'withheld')) {
    assert.equal(e.hash, '', `withheld ${e.seq} carries a hash`);
  }
  // Nothing anywhere in what the observer received says how anyone voted.
  assert.deepEqual(payloads.filter((p) => p.type === 'vote_cast'), [], 'a vote with its choice reached the observer');
  assert.deepEqual(payloads.filter(pairsVoterWithChoice), [], 'a frame pairs a voter with a choice');
  // Redacted votes carry no hash a reader could test a guess of a choice against.
  for (const e of events.filter((e) => e.payload.type === 'vote_sealed')) {
    assert.equal(e.hash, '', `vote_sealed ${e.seq} carries a hash`);
  }
}
