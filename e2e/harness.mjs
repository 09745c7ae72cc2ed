// Shared e2e plumbing: a real `pingyi` server on a free port with its own data
// directory, and Debian's Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (run the e2e suite through \`make test\`)`);
  return value;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A pingyi server process; `restart()` keeps the same port and database. */
export class Server {
  constructor() {
    this.dataDir = mkdtempSync(join(tmpdir(), 'pingyi-e2e-'));
    this.port = null;
    this.proc = null;
    this.log = '';
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    this.port ??= await freePort();
    this.proc = spawn(required('PINGYI_BIN'), ['serve'], {
      env: {
        ...process.env,
        PINGYI_ADDR: `127.0.0.1:${this.port}`,
        PINGYI_DATA_DIR: this.dataDir,
        PINGYI_SITE_ROOT: required('PINGYI_SITE_ROOT'),
        PINGYI_FONT: required('PINGYI_FONT'),
        // One signing key for all test servers: made once, not at every start.
        PINGYI_SIGNING_DIR: join(tmpdir(), 'pingyi-e2e-signing'),
        DATABASE_URL: '',
        RUST_LOG: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout.on('data', (d) => (this.log += d));
    this.proc.stderr.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`pingyi exited early:\n${this.log}`);
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`pingyi did not become healthy:\n${this.log}`);
  }

  /** SIGTERM and wait; resolves to the exit code (0 = graceful). */
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return this.proc?.exitCode;
    const exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    this.proc.kill('SIGTERM');
    return exited;
  }

  async restart() {
    await this.stop();
    await this.start();
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens a page and waits until the app has hydrated and the live socket is up. */
export async function openRoom(context, url) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  await page.locator('[data-testid="live-status"][data-status="connected"]').waitFor({ timeout: 15_000 });
  return page;
}

/** The demo password of every demo account (server/src/demo.rs). */
export const DEMO_PASSWORD = 'pingyi-demo';

/** Logs in through the login page and waits for the account box. */
export async function logIn(page, baseUrl, username) {
  await page.goto(baseUrl + '/login');
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 15_000 });
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('account').waitFor({ timeout: 10_000 });
}

/**
 * Brings a hearing forward to start in five minutes, as its host would (改期
 * with a reason, through the documented server functions): a hearing may be
 * opened at the earliest an hour before its planned start. Other hearings of
 * the same host in the next hours are postponed first (延期), or the new time
 * would clash. `page` is logged in as that host. Returns the statuses.
 */
export async function bringForward(page, hearingId, planChanges = {}) {
  return page.evaluate(async ([hearingId, planChanges]) => {
    const detail = async (id) => {
      const res = await fetch('/rpc/hearing_detail', { method: 'POST', body: new URLSearchParams({ hearing_id: id }) });
      return (await res.json()).hearing;
    };
    const change = async (hearing, request, reason) => {
      const res = await fetch('/rpc/change_hearing', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hearing_id: hearing.id, version: hearing.version, request, reason }),
      });
      return res.status;
    };
    const now = Date.now();
    const target = await detail(hearingId);
    const statuses = [];
    const listed = await (await fetch('/rpc/list_hearings', { method: 'POST' })).json();
    for (const other of listed) {
      if (other.id === hearingId || Math.abs(other.starts_at_ms - now) > 6 * 3_600_000) continue;
      const hearing = await detail(other.id);
      if (hearing.status === 'scheduled' && hearing.plan.host_id === target.plan.host_id) {
        statuses.push(await change(hearing, { kind: 'postpone' }, '主持人另有听证，延期另行通知'));
      }
    }
    const minute = 60_000;
    const plan = {
      ...target.plan,
      starts_at_ms: Math.ceil((now + 5 * minute) / minute) * minute,
      short_notice_reason: '各方当事人及评议员均已到场，经各方同意提前举行',
      ...planChanges,
    };
    statuses.push(await change(target, { kind: 'update', plan }, '经各方同意提前举行'));
    return statuses;
  }, [hearingId, planChanges]);
}

/**
 * One server and one browser for a test file: started before its tests, stopped
 * after. Returns an object whose `server` and `browser` are set once started.
 */
export function serverAndBrowser() {
  const env = { server: new Server(), browser: null };
  before(async () => {
    await env.server.start();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server.stop();
  });
  return env;
}

/** A minimal, valid two-page PDF (cross-reference offsets computed), as a string. */
export function twoPagePdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 5 0 R >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 6 0 R >>',
    '<< /Length 0 >>\nstream\n\nendstream',
    '<< /Length 0 >>\nstream\n\nendstream',
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
  return out;
}
