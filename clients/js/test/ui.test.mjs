// The live page (/ui/) in Debian's Chromium, driven by Playwright, against real servers: it lists keys written by
// the .NET client (the mwg CLI), updates live when another client (the JavaScript client in Node) writes, and a put
// made on the page reaches a .NET subscriber (mwg watch). With authentication on, the token field decides what the
// page may show and do.
// Screenshots go to $MWG_ARTIFACTS (default TestResults/browser).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';
import { connect } from '../mwg.js';
import { repositoryRoot, runMwg, startMwg, startServer, WebSocket } from './support.mjs';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const artifacts = process.env.MWG_ARTIFACTS ?? path.join(repositoryRoot, 'TestResults/browser');
const BOUND = 20_000;

// Background networking off: this machine has no network beyond loopback, and Chromium must not try.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

const secret = 'a-test-secret-of-at-least-32-bytes-long';
let browser;
let profile;
let open; // authentication off
let guarded; // authentication on
const cleanups = [];

// The two servers and the browser start together.
before(async () => {
  await mkdir(artifacts, { recursive: true });
  profile = await mkdtemp(path.join(os.tmpdir(), 'mwg-chromium-'));
  [open, guarded, browser] = await Promise.all([
    startServer(),
    startServer({ config: `mwg.auth { enabled = on, jwt-secret = "${secret}" }` }),
    chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 640 },
    }),
  ]);
  cleanups.push(() => open.dispose(), () => guarded.dispose());
  browser.setDefaultTimeout(BOUND);
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** `mwg put` through the .NET client: resolves with the revision it printed. */
async function dotnetPut(url, ...pairsAndOptions) {
  const result = await runMwg('put', '--url', url, ...pairsAndOptions);
  assert.equal(result.code, 0, `mwg put failed: ${result.stderr}`);
  return Number(result.stdout);
}

/** Another client, in Node (the JavaScript client), closed after the tests. */
async function nodeClient(url, token) {
  const c = await connect(url, { WebSocket, token });
  cleanups.push(async () => c.close());
  return c;
}

/** An HS256 JWT in the layout `mwg token` mints (docs/security.md), signed with the server's secret. */
function jwt(subject, rights) {
  const part = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: subject, iat: now, exp: now + 3600, mwg: rights })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const row = (page, key) => page.locator(`tr[data-key="${key}"]`);

/** Fails the test with the page's own errors, if it had any. */
function watchPageErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  return errors;
}

describe('the live page, authentication off', () => {
  let server;
  let page;
  let errors;

  before(async () => {
    server = open;
    page = await browser.newPage();
    errors = watchPageErrors(page);
  });

  test('loads and lists the keys written by the .NET client, with the revision and the server counts', async () => {
    const written = await dotnetPut(server.url, 'users/ada', 'Ada Lovelace', 'users/bob', 'Bob', 'teams/core', 'not under users/');

    const response = await page.goto(`${server.httpUrl}ui?prefix=users/`);
    assert.equal(response.status(), 200);
    assert.match(page.url(), /\/ui\/\?prefix=users%2F$/);
    await page.locator('#state', { hasText: 'connected' }).waitFor();
    assert.equal(await row(page, 'users/ada').locator('td.value').textContent(), 'Ada Lovelace');
    assert.equal(await row(page, 'users/bob').locator('td.value').textContent(), 'Bob');
    assert.equal(await row(page, 'teams/core').count(), 0);
    await page.locator('#revision', { hasText: String(written) }).waitFor();
    await page.waitForFunction(() => Number(document.getElementById('connections').textContent) >= 1 && Number(document.getElementById('subscriptions').textContent) >= 1);
    assert.equal(await page.locator('#writes').isVisible(), true, 'no authentication: the write forms are there');
  });

  test('updates live when another client writes: new and changed rows marked, removed rows struck through', async () => {
    const other = await nodeClient(server.url);
    const cy = await other.put({ 'users/cy': 'Cy' });
    await row(page, 'users/cy').and(page.locator('.changed')).waitFor();
    assert.equal(await row(page, 'users/cy').locator('td.revision').textContent(), String(cy));

    const ada = await other.put({ 'users/ada': 'Augusta Ada King' });
    await row(page, 'users/ada').locator('td.value', { hasText: 'Augusta Ada King' }).waitFor();
    assert.equal(await row(page, 'users/ada').getAttribute('class'), 'changed');

    const removed = await other.remove('users/bob');
    await row(page, 'users/bob').and(page.locator('.removed')).waitFor();
    await page.locator('#revision', { hasText: String(removed) }).waitFor();
    assert.ok(removed > ada);
    assert.equal(await row(page, 'users/dan').count(), 0);
  });

  test('a put and a remove made on the page are seen by a .NET subscriber (mwg watch)', async () => {
    const watch = startMwg('watch', 'users/', '--url', server.url);
    cleanups.push(async () => watch.kill());
    await watch.line(/^mwg watch: watching from revision/, { fromStderr: true });

    await page.fill('#put-key', 'users/dee');
    await page.fill('#put-value', 'Dee from the browser');
    await page.click('#put button');
    const written = await page.locator('#message', { hasText: 'written at revision' }).textContent();
    const revision = written.match(/(\d+)/)[1];
    await watch.line(new RegExp(`^${revision}\tusers/dee\tDee from the browser$`));
    await row(page, 'users/dee').and(page.locator('.changed')).waitFor();

    await page.fill('#remove-key', 'users/cy');
    await page.click('#remove button');
    await row(page, 'users/cy').and(page.locator('.removed')).waitFor();
    const removedAt = (await page.locator('#message').textContent()).match(/(\d+)/)[1];
    await watch.line(new RegExp(`^${removedAt}\tusers/cy\t\\(removed\\)$`));

    await page.screenshot({ path: path.join(artifacts, 'ui.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });

  test('a forced reload (mwg reload) makes the page list the prefix again', async () => {
    const reload = await runMwg('reload', 'users/', '--url', server.url);
    assert.equal(reload.code, 0, reload.stderr);
    await page.locator('#message', { hasText: 'reload signal' }).waitFor();
    // Listed afresh: the removed rows are gone, the rest stays.
    await row(page, 'users/bob').waitFor({ state: 'detached' });
    assert.equal(await row(page, 'users/dee').locator('td.value').textContent(), 'Dee from the browser');
  });

  test('serves the client module and the page as plain files', async () => {
    const module = await page.request.get(`${server.httpUrl}client/mwg.js`);
    assert.equal(module.status(), 200);
    assert.match(module.headers()['content-type'], /^text\/javascript/);
    assert.match(await module.text(), /export async function connect/);
    assert.equal((await page.request.get(`${server.httpUrl}ui/nothing.js`)).status(), 404);
  });
});

describe('the live page, authentication on', () => {
  let server;
  let page;
  let reader;
  let admin;
  let writer;

  before(async () => {
    server = guarded;
    reader = jwt('reader', { read: ['shared/'], subscribe: ['shared/'] });
    admin = jwt('admin', { read: [''], write: [''], subscribe: [''], reload: [''] });
    writer = await nodeClient(server.url, admin);
    page = await browser.newPage();
  });

  test('without a token the page asks for one', async () => {
    await page.goto(`${server.httpUrl}ui/?prefix=shared/`);
    await page.locator('#message', { hasText: 'requires a token' }).waitFor();
    assert.equal(await page.locator('#writes').isVisible(), false);
  });

  test('a read-only token lists and follows keys but gets no write forms and no admin counts', async () => {
    await writer.put({ 'shared/note': 'hello' });
    await page.fill('#token', reader);
    await page.click('#browse button');
    await row(page, 'shared/note').locator('td.value', { hasText: 'hello' }).waitFor();
    await page.locator('#state', { hasText: 'connected' }).waitFor();
    assert.equal(await page.locator('#writes').isVisible(), false);
    await page.waitForFunction(() => /reload right/.test(document.getElementById('connections').title));
    assert.equal(await page.locator('#connections').textContent(), '–');

    await writer.put({ 'shared/live': 'seen by the reader' });
    await row(page, 'shared/live').and(page.locator('.changed')).waitFor();

    await page.fill('#prefix', 'secret/');
    await page.click('#browse button');
    await page.locator('#message', { hasText: 'may not read "secret/"' }).waitFor();
  });

  test('a token with the write and reload rights gets the forms and the counts', async () => {
    await page.fill('#prefix', 'shared/');
    await page.fill('#token', admin);
    await page.click('#browse button');
    await page.locator('#writes').waitFor({ state: 'visible' });
    await page.waitForFunction(() => Number(document.getElementById('connections').textContent) >= 1);
    await page.fill('#put-key', 'shared/by-admin');
    await page.fill('#put-value', 'written on the page');
    await page.click('#put button');
    await row(page, 'shared/by-admin').and(page.locator('.changed')).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'ui-auth.png'), fullPage: true });
  });
});
