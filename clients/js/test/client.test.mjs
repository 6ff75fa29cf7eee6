// Every operation of the JavaScript client against a real server (mwg serve), through a proxy that can cut or
// silence the connection: get, put, remove, lock, unlock, subscribe (values, removals, since), list, stats, ping,
// request timeouts, heartbeat, writes and reads across a lost connection, lease reclaim, backoff.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, MwgClient, MwgError, start } from '../mwg.js';
import { FaultProxy, startServer, waitFor, WebSocket } from './support.mjs';

let server;
let guarded; // authentication on, with two API keys
let proxy;
const clients = [];

const GUARDED = `mwg.auth {
  enabled = on
  api-keys = [
    { key = "reader-key-0123456789", subject = "reader", read = ["users/"], subscribe = ["users/"] }
    { key = "writer-key-0123456789", subject = "writer", read = [""], write = [""], subscribe = [""] }
  ]
}`;

/** A client through the proxy, closed after the suite. */
async function client(options = {}) {
  const c = await connect(proxy.url, { WebSocket, ...options });
  clients.push(c);
  return c;
}

/** A client straight to the server (not cut by the proxy). */
async function direct(options = {}) {
  const c = await connect(server.url, { WebSocket, ...options });
  clients.push(c);
  return c;
}

/** A fresh key prefix per test, so tests do not see each other's writes. */
let prefixes = 0;
const fresh = (name) => `t${++prefixes}-${name}/`;

before(async () => {
  [server, guarded] = await Promise.all([startServer(), startServer({ config: GUARDED })]);
  proxy = await FaultProxy.start(server.port);
});

after(async () => {
  for (const c of clients) c.close();
  await proxy?.close();
  await server?.dispose();
  await guarded?.dispose();
});

describe('operations', () => {
  test('put, get and remove strings: one value per key, null when missing, revisions increase', async () => {
    const c = await client();
    const p = fresh('kv');
    const first = await c.put({ [`${p}ada`]: 'Ada Lovelace', [`${p}bob`]: 'Bob' });
    assert.equal(await c.get(`${p}ada`), 'Ada Lovelace');
    assert.deepEqual(await c.get([`${p}ada`, `${p}bob`, `${p}nobody`]), ['Ada Lovelace', 'Bob', null]);
    const removed = await c.remove(`${p}bob`);
    assert.ok(removed > first, `remove revision ${removed} after put revision ${first}`);
    assert.deepEqual(await c.get([`${p}bob`]), [null]);
    assert.equal(c.lastSeenRevision, removed);
  });

  test('put takes pairs as an object, [key, value] arrays or {key, value} objects, unicode included', async () => {
    const c = await client();
    const p = fresh('shapes');
    await c.put([[`${p}a`, 'één']]);
    await c.put([{ key: `${p}b`, value: '🦊' }]);
    await c.put({ [`${p}c`]: '' });
    assert.deepEqual(await c.get([`${p}a`, `${p}b`, `${p}c`]), ['één', '🦊', '']);
  });

  test('bytes: Uint8Array keys and values travel as Base64 and come back as bytes in binary mode', async () => {
    const c = await client();
    const key = new Uint8Array([0x6b, 0x00, 0xff]);
    const value = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
    await c.put([[key, value]]);
    assert.deepEqual(await c.get(key, { binary: true }), value);
    await c.remove(key);
    assert.equal(await c.get(key, { binary: true }), null);

    const textKey = fresh('bytes') + 'k';
    await c.put([[textKey, value]]);
    assert.deepEqual(await c.get(textKey, { binary: true }), value);
    await assert.rejects(c.get(textKey), (e) => e instanceof MwgError && e.code === 'NotRepresentable', 'a value that is not UTF-8 is not sent as text');
  });

  test('lock leases an id prefix once, unlock releases it, a wrong unlock is refused by the server', async () => {
    const c = await client();
    const lease = await c.lock();
    assert.equal(typeof lease.prefix, 'number');
    assert.ok(lease.leaseToken.length > 0);
    assert.deepEqual(await c.lock(), lease, 'a second lock returns the prefix held');
    await c.unlock();
    assert.equal(c.lease, null);

    const other = await client();
    const held = await other.lock();
    // A raw unlock with a token that is not the lease's.
    c.lease = { prefix: held.prefix, leaseToken: 'bm90LXRoZS10b2tlbg==' };
    await c.unlock(); // refused (LeaseTokenInvalid): the client forgets a lease that is not its own
    assert.equal(c.lease, null);
    assert.deepEqual(await other.lock(), held, 'the real holder still holds it');
    await other.unlock();
  });

  test('ping answers with a round-trip time', async () => {
    const c = await client();
    assert.ok((await c.ping()) >= 0);
  });

  test('subscribe delivers each change with values and removals, in revision order', async () => {
    const c = await client();
    const writer = await direct();
    const p = fresh('sub');
    const events = [];
    const subscription = await c.subscribe(p, { values: true }, (e) => events.push(e));
    const r1 = await writer.put({ [`${p}a`]: '1', [`${p}b`]: '2' });
    const r2 = await writer.put({ other: 'not under the prefix' });
    const r3 = await writer.remove(`${p}a`);
    await waitFor(() => events.length === 2, 'two notifications');
    assert.deepEqual(events, [
      { type: 'change', revision: r1, changes: [{ key: `${p}a`, value: '1' }, { key: `${p}b`, value: '2' }] },
      { type: 'change', revision: r3, changes: [{ key: `${p}a`, removed: true }] },
    ]);
    assert.ok(r2 > r1 && r3 > r2);
    assert.equal(subscription.lastRevision, r3);
  });

  test('subscribe without values tells which keys changed; binary mode gives bytes', async () => {
    const c = await client();
    const p = fresh('novalues');
    const events = [];
    await c.subscribe([p], { values: false, binary: true }, (e) => events.push(e));
    const revision = await c.put({ [`${p}k`]: 'v' });
    await waitFor(() => events.length === 1, 'a notification');
    assert.equal(events[0].revision, revision);
    assert.deepEqual(events[0].changes, [{ key: new TextEncoder().encode(`${p}k`) }]);
  });

  test('subscribe with since replays the changes after that revision, then the live stream', async () => {
    const c = await client();
    const p = fresh('since');
    const r1 = await c.put({ [`${p}1`]: 'a' });
    const r2 = await c.put({ [`${p}2`]: 'b' });
    const r3 = await c.put({ [`${p}3`]: 'c' });
    const seen = [];
    const subscription = await c.subscribe(p, { since: r1 }, (e) => seen.push(e.revision));
    assert.deepEqual(seen, [r2, r3], 'the replay arrives before subscribe resolves');
    const r4 = await c.put({ [`${p}4`]: 'd' });
    await waitFor(() => seen.length === 3, 'the live change');
    assert.deepEqual(seen, [r2, r3, r4]);
    await subscription.close();
    await c.put({ [`${p}5`]: 'e' });
    await c.ping(); // a notification would have arrived before this reply
    assert.deepEqual(seen, [r2, r3, r4], 'nothing after close()');
  });

  test('list returns the pairs under a prefix in key order with a revision to subscribe from', async () => {
    const c = await client();
    const p = fresh('list');
    await c.put({ [`${p}b`]: '2', [`${p}a`]: '1', [`${p}c`]: '3', [`${p}`.slice(0, -1) + 'x']: 'outside' });
    const listing = await c.list(p);
    assert.deepEqual(listing.pairs, [{ key: `${p}a`, value: '1' }, { key: `${p}b`, value: '2' }, { key: `${p}c`, value: '3' }]);
    assert.equal(listing.truncated, false);
    assert.equal(listing.revision, c.lastSeenRevision);

    const limited = await c.list(p, { limit: 2 });
    assert.equal(limited.pairs.length, 2);
    assert.equal(limited.truncated, true);

    // Listing then subscribing from its revision misses nothing written in between.
    const events = [];
    const between = await c.put({ [`${p}d`]: '4' });
    await c.subscribe(p, { since: listing.revision }, (e) => events.push(e));
    assert.deepEqual(events.map((e) => e.revision), [between]);
  });

  test('stats count the connections and subscriptions', async () => {
    const c = await client();
    const before = await c.stats();
    const second = await direct();
    await second.subscribe(fresh('stats'), () => {});
    const after = await c.stats();
    assert.equal(after.connections, before.connections + 1);
    assert.equal(after.subscriptions, before.subscriptions + 1);
    assert.ok(after.connectionsJson >= 2);
  });

  test('a server error reply rejects with its code, and the connection goes on', async () => {
    const c = await client();
    await assert.rejects(c.get(['x'.repeat(2000)]), (e) => e instanceof MwgError && e.code === 'KeyTooLarge' && e.number === 5 && !e.retryable);
    assert.equal(await c.get(fresh('after-error') + 'k'), null);
  });
});

describe('timeouts, heartbeat and lost connections', () => {
  test('a request without a reply fails with Timeout; a write then has an unknown outcome, a read does not', async () => {
    const c = await client({ requestTimeout: 500, keepAliveInterval: 0 });
    proxy.hold();
    try {
      const read = await c.get('k').catch((e) => e);
      const write = await c.put({ k: 'v' }).catch((e) => e);
      assert.equal(read.code, 'Timeout');
      assert.equal(read.retryable, true);
      assert.equal(read.outcomeUnknown, false);
      assert.equal(write.code, 'Timeout');
      assert.equal(write.outcomeUnknown, true);
    } finally {
      proxy.release();
      proxy.cut(); // the held bytes are gone: start the connections afresh
    }
    await c.ready(10_000);
  });

  test('the {"p":1} heartbeat is answered {"p":2}; a silent peer is dropped and the client reconnects', async () => {
    // The raw heartbeat, as Kuzzle's SDK sends it.
    const raw = new WebSocket(server.url, 'mwg.json.v1');
    const answers = [];
    raw.on('message', (data) => answers.push(String(data)));
    await waitFor(() => answers.length === 1, 'the hello');
    raw.send('{"p":1}');
    await waitFor(() => answers.length === 2, 'the heartbeat answer');
    assert.equal(answers[1], '{"p":2}');
    raw.close();

    const c = await client({ keepAliveInterval: 100, requestTimeout: 1000 });
    const states = [];
    c.on('state', (s) => states.push(s));
    const accepted = proxy.accepted;
    proxy.hold();
    try {
      await waitFor(() => states.includes('reconnecting'), 'the client to drop the silent connection');
    } finally {
      proxy.release();
    }
    await waitFor(() => c.state === 'connected' && proxy.accepted > accepted, 'a new connection');
  });

  test('a write while disconnected fails at once with Unavailable; reads wait for the reconnect', async () => {
    const c = await client({ reconnectMinDelay: 50 });
    let pendingRead;
    proxy.refusing = true;
    proxy.cut();
    try {
      await waitFor(() => c.state === 'reconnecting', 'the loss to be seen');
      const write = await c.put({ k: 'v' }).catch((e) => e);
      assert.equal(write.code, 'Unavailable');
      assert.equal(write.retryable, true);
      assert.equal(write.outcomeUnknown, false);
      pendingRead = c.get(fresh('offline') + 'k');
    } finally {
      proxy.refusing = false;
    }
    assert.equal(await pendingRead, null);
    assert.equal(c.state, 'connected');
  });

  test('a read in flight when the connection drops is sent again; a write in flight fails with an unknown outcome', async () => {
    const c = await client({ reconnectMinDelay: 50, keepAliveInterval: 0 });
    const p = fresh('inflight');
    await c.put({ [`${p}k`]: 'v' });
    proxy.hold();
    const read = c.get(`${p}k`);
    const write = c.put({ [`${p}w`]: 'x' }).catch((e) => e);
    // The write reached the server and was applied; only its reply is held back.
    const observer = await direct();
    await waitFor(async () => (await observer.get(`${p}w`)) === 'x', 'the write to be applied');
    proxy.release();
    proxy.cut();
    assert.equal(await read, 'v');
    const lost = await write;
    assert.equal(lost.code, 'Unavailable');
    assert.equal(lost.outcomeUnknown, true);
    assert.equal(lost.retryable, true);
  });

  test('the lease is reclaimed with its token after a reconnect', async () => {
    const c = await client({ reconnectMinDelay: 50 });
    const lease = await c.lock();
    let lost = false;
    c.on('leaseLost', () => (lost = true));
    const accepted = proxy.accepted;
    proxy.cut();
    await waitFor(() => c.state === 'connected' && proxy.accepted > accepted, 'the reconnect');
    assert.deepEqual(c.lease, lease);
    assert.equal(lost, false);
    const other = await direct();
    const otherLease = await other.lock();
    assert.notEqual(otherLease.prefix, lease.prefix, 'the reclaimed prefix is not handed to anyone else');
    await other.unlock();
    await c.unlock();
  });

  test('close() ends the client: calls fail with Unavailable, not retryable', async () => {
    const c = await client();
    c.close();
    assert.equal(c.state, 'closed');
    await assert.rejects(c.get('k'), (e) => e.code === 'Unavailable' && !e.retryable);
    await assert.rejects(c.subscribe('k', () => {}), (e) => e.code === 'Unavailable');
  });

  test('connect fails with Unavailable within the connect timeout when nothing listens', async () => {
    proxy.refusing = true;
    try {
      await assert.rejects(connect(proxy.url, { WebSocket, connectTimeout: 500 }), (e) => e.code === 'Unavailable');
    } finally {
      proxy.refusing = false;
    }
  });

  test('reconnect delays double from the minimum, are capped, and are jittered downwards', () => {
    const c = new MwgClient('ws://127.0.0.1:1/', { reconnectMinDelay: 100, reconnectMaxDelay: 1000, reconnectJitter: 0.5 });
    for (let i = 0; i < 200; i++) {
      const first = c.backoff(1);
      const third = c.backoff(3);
      const capped = c.backoff(30);
      assert.ok(first >= 50 && first <= 100, `attempt 1: ${first}`);
      assert.ok(third >= 200 && third <= 400, `attempt 3: ${third}`);
      assert.ok(capped >= 500 && capped <= 1000, `attempt 30: ${capped}`);
    }
    const delays = new Set(Array.from({ length: 20 }, () => c.backoff(2)));
    assert.ok(delays.size > 1, 'jitter spreads the delays');
    assert.throws(() => new MwgClient('http://x/'), TypeError);
    assert.throws(() => start('ws://x/', { requestTimeout: -1 }), TypeError);
  });
});

describe('authentication', () => {
  test('the token option opens the connection (a header with the ws package) and carries the rights', async () => {
    const opened = [];
    class SpiedWebSocket extends WebSocket {
      constructor(url, protocols, options) {
        opened.push({ url, options });
        super(url, protocols, options);
      }
    }
    const writer = await connect(guarded.url, { WebSocket: SpiedWebSocket, token: 'writer-key-0123456789' });
    clients.push(writer);
    assert.equal(new URL(opened[0].url).search, '', 'not in the url');
    assert.equal(opened[0].options.headers.Authorization, 'Bearer writer-key-0123456789');
    const revision = await writer.put({ 'users/ada': 'Ada', 'secret/plan': 'x' });
    assert.equal(await writer.get('users/ada'), 'Ada');
    assert.equal((await writer.list('users/')).revision, revision);
  });

  test('a browser-like WebSocket (no headers) sends the token in the query string', async () => {
    const urls = [];
    // The browser's constructor takes no options: the client must put the token in the url.
    function BrowserWebSocket(url, protocols) {
      urls.push(url);
      return new WebSocket(url, protocols);
    }
    BrowserWebSocket.prototype = {};
    const reader = await connect(guarded.url, { WebSocket: BrowserWebSocket, token: 'reader-key-0123456789' });
    clients.push(reader);
    assert.equal(new URL(urls[0]).searchParams.get('token'), 'reader-key-0123456789');
    assert.deepEqual(await reader.get(['users/ada']), ['Ada']);
  });

  test('without a token requests are Unauthorized until auth(); the rights then decide, batch by batch', async () => {
    const c = await connect(guarded.url, { WebSocket }); // the JSON dialect may authenticate after connecting
    clients.push(c);
    await assert.rejects(c.get('users/ada'), (e) => e.code === 'Unauthorized' && e.number === 20);
    await assert.rejects(c.list('users/'), (e) => e.code === 'Unauthorized' && e.status === 401);

    assert.equal((await c.auth('reader-key-0123456789')).subject, 'reader');
    assert.equal(await c.get('users/ada'), 'Ada');
    await assert.rejects(c.get(['users/ada', 'secret/plan']), (e) => e.code === 'Forbidden', 'one forbidden key refuses the batch');
    await assert.rejects(c.put({ 'users/ada': 'changed' }), (e) => e.code === 'Forbidden' && !e.outcomeUnknown);
    await assert.rejects(c.subscribe('secret/', () => {}), (e) => e.code === 'Forbidden');
    await assert.rejects(c.list('secret/'), (e) => e.code === 'Forbidden' && e.status === 403);
    await assert.rejects(c.stats(), (e) => e.code === 'Forbidden');
    const events = [];
    await c.subscribe('users/', (e) => events.push(e));
    const writer = await connect(guarded.url, { WebSocket, token: 'writer-key-0123456789' });
    clients.push(writer);
    const revision = await writer.put({ 'users/bob': 'Bob' });
    await waitFor(() => events.length === 1, 'the notification');
    assert.equal(events[0].revision, revision);
  });
});
