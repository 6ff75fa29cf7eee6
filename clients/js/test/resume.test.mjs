// Reconnect with resume: each change exactly once and in order across many connection cuts and across a server
// restart on the same data folder; the reload signal when the resume point is older than the server's history.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '../mwg.js';
import { FaultProxy, startServer, waitFor, WebSocket } from './support.mjs';

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// Two servers, started together: one with the default history (cuts, then a restart), one that keeps only the
// last 5 revisions (a trimmed history).
let main;
let trimmed;
before(async () => {
  [main, trimmed] = await Promise.all([
    startServer(),
    // A snapshot every 10 revisions lets the change log be trimmed to the last 5.
    startServer({ config: 'mwg.storage.retain-revisions = 5\nmwg.storage.snapshot-every = 10' }),
  ]);
  cleanups.push(() => main.dispose(), () => trimmed.dispose());
});

async function proxyTo(port) {
  const p = await FaultProxy.start(port);
  cleanups.push(() => p.close());
  return p;
}

async function client(url, options = {}) {
  const c = await connect(url, { WebSocket, reconnectMinDelay: 20, reconnectMaxDelay: 300, ...options });
  cleanups.push(() => c.close());
  return c;
}

/** Subscribes and records every event: changes as {revision, pairs}, the rest as they are. */
async function watch(c, prefix, options = {}) {
  const events = [];
  const subscription = await c.subscribe(prefix, { values: true, ...options }, (e) => events.push(e));
  const revisions = () => events.filter((e) => e.type === 'change').map((e) => e.revision);
  return { events, revisions, subscription };
}

test('each change is delivered exactly once, in order, across 12 connection cuts while another client writes', async () => {
  const proxy = await proxyTo(main.port);
  const subscriber = await client(proxy.url);
  const writer = await client(main.url);
  const { events, revisions } = await watch(subscriber, 'cuts/');

  // The writer goes on until every cut is done; each cut drops a live connection (the client is connected again
  // before the next one), at a random moment of the write stream.
  const written = [];
  let cutting = true;
  const writes = (async () => {
    for (let i = 0; (cutting || i < 50) && i < 20_000; i++) written.push(await writer.put({ [`cuts/${i % 50}`]: `v${i}` }));
  })();
  const cuts = 12;
  try {
    for (let cut = 0; cut < cuts; cut++) {
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40));
      const accepted = proxy.accepted;
      proxy.cut();
      await waitFor(() => proxy.accepted > accepted && subscriber.state === 'connected', 'the subscriber to reconnect');
    }
  } finally {
    cutting = false;
  }
  await writes;

  await waitFor(() => revisions().at(-1) === written.at(-1), `the last revision ${written.at(-1)}`);
  assert.deepEqual(revisions(), written, 'every revision once, in order');
  assert.deepEqual(events.filter((e) => e.type !== 'change'), [], 'no reload: the history was there');
  // Each change carries the value its write put.
  events.forEach((e, i) => assert.deepEqual(e.changes, [{ key: `cuts/${i % 50}`, value: `v${i}` }]));
});

test('a subscription resumes after a server restart on the same data folder, replaying what it missed once', async () => {
  const first = main;
  const proxy = await proxyTo(first.port);
  const subscriber = await client(proxy.url);
  const { revisions, events } = await watch(subscriber, 'restart/');

  const writer = await client(first.url);
  const written = [await writer.put({ 'restart/0': 'before' })];
  await waitFor(() => revisions().length === 1, 'the first change');

  // The subscriber loses its connection; writes go on without it, then the server restarts.
  proxy.refusing = true;
  proxy.cut();
  for (let i = 1; i <= 20; i++) written.push(await writer.put({ [`restart/${i}`]: 'missed' }));
  writer.close();
  await first.stop();

  const second = await startServer({ data: first.data });
  cleanups.push(() => second.stop()); // before main.dispose() removes the folder
  proxy.targetPort = second.port;
  proxy.refusing = false;
  const after = await client(second.url);
  for (let i = 21; i <= 30; i++) written.push(await after.put({ [`restart/${i}`]: 'after' }));

  await waitFor(() => revisions().at(-1) === written.at(-1), `the last revision ${written.at(-1)}`);
  assert.deepEqual(revisions(), written);
  assert.equal(events.length, written.length, 'no reload, nothing twice');
  assert.equal(await after.get('restart/20'), 'missed', 'the data folder kept the writes');
});

test('a resume point older than the retained history gives one reloadAll signal, then the live changes', async () => {
  const s = trimmed;
  const proxy = await proxyTo(s.port);
  const subscriber = await client(proxy.url);
  const reloads = [];
  subscriber.on('reload', (event) => reloads.push(event));
  const { events, revisions, subscription } = await watch(subscriber, 'old/');

  const writer = await client(s.url);
  const r0 = await writer.put({ 'old/0': 'seen' });
  await waitFor(() => revisions().length === 1, 'the first change');

  proxy.refusing = true;
  proxy.cut();
  let last = r0;
  for (let i = 1; i <= 40; i++) last = await writer.put({ [`old/${i}`]: 'missed' });

  // The log is trimmed after a snapshot, asynchronously: wait until a resume from r0 is refused.
  const probe = await client(s.url);
  await waitFor(async () => {
    let reloaded = false;
    const attempt = await probe.subscribe('old/', { since: r0 }, (e) => (reloaded ||= e.type === 'reloadAll'));
    await attempt.close();
    return reloaded;
  }, 'the change log to be trimmed');

  proxy.refusing = false;
  await waitFor(() => events.some((e) => e.type === 'reloadAll'), 'the reloadAll signal');
  const live = await writer.put({ 'old/live': 'after the reload' });
  await waitFor(() => revisions().at(-1) === live, 'the live change');

  const reload = events.find((e) => e.type === 'reloadAll');
  assert.equal(events.filter((e) => e.type === 'reloadAll').length, 1);
  assert.deepEqual(events[0], { type: 'change', revision: r0, changes: [{ key: 'old/0', value: 'seen' }] });
  assert.equal(events[1], reload, 'the signal comes right after what was delivered before the loss');
  assert.ok(reload.revision >= r0 && reload.revision <= last, `reload at ${reload.revision}`);
  const afterReload = events.slice(2).map((e) => e.revision);
  assert.ok(afterReload.every((r) => r > reload.revision), 'only changes after the reload point follow');
  assert.equal(new Set(afterReload).size, afterReload.length, 'none twice');
  assert.equal(afterReload.at(-1), live);
  assert.deepEqual(reloads, [reload], "the client's reload event carries the same signal");
  assert.equal(subscription.lastRevision, live);
});
