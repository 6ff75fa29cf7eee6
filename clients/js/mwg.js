// MwgActors JavaScript client: the JSON dialect (mwg.json.v1) for browsers and Node, no runtime dependencies.
// One file on purpose: the gateway serves it as /client/mwg.js and a page imports it with no build step.
// The guarantees match the .NET client (docs/client.md); docs/browser.md is the guide.

/** The websocket subprotocol of the JSON dialect. */
export const SUBPROTOCOL = 'mwg.json.v1';

/** Wire error codes (docs/protocol.md, section 4): name -> number. */
export const ErrorCodes = Object.freeze({
  BadFrame: 1,
  UnknownType: 2,
  FrameTooLarge: 3,
  TooManyKeys: 4,
  KeyTooLarge: 5,
  ValueTooLarge: 6,
  TooManySubscriptions: 7,
  UnknownSubscription: 8,
  NotLockHolder: 9,
  NoFreePrefix: 10,
  LeaseTokenInvalid: 11,
  ResumeTooOld: 12,
  NotRepresentable: 13,
  ReplyTooLarge: 14,
  TooManyPrefixes: 15,
  LeaseQuotaExceeded: 16,
  Unauthorized: 20,
  Forbidden: 21,
  RateLimited: 30,
  Overloaded: 31,
  Unavailable: 32,
  Timeout: 33,
  Internal: 40,
});

const RETRYABLE = new Set(['NoFreePrefix', 'RateLimited', 'Overloaded', 'Unavailable', 'Timeout']);

// Close codes after which sending the same frames again would fail the same way (as the .NET client).
const FATAL_CLOSE_CODES = new Set([1002, 1003, 1007, 1009]);
const POLICY_CLOSE = 1008;

const DEFAULTS = Object.freeze({
  requestTimeout: 30_000,
  connectTimeout: 10_000,
  reconnectMinDelay: 100,
  reconnectMaxDelay: 30_000,
  reconnectJitter: 0.5,
  keepAliveInterval: 30_000,
});

/** Every failure of a call: `code` is the wire error name (`Timeout`, `Forbidden`...), `number` its number. */
export class MwgError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{retryable?: boolean, outcomeUnknown?: boolean, status?: number}} [details]
   */
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'MwgError';
    this.code = code;
    this.number = ErrorCodes[code] ?? 0;
    this.retryable = details.retryable ?? RETRYABLE.has(code);
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    if (details.status !== undefined) this.status = details.status;
  }
}

/**
 * Connects and resolves once the first connection is up (within `connectTimeout`, reconnect attempts included).
 * @param {string | URL} url ws:// or wss:// address of the server
 * @param {object} [options] see mwg.d.ts (ConnectOptions)
 */
export async function connect(url, options = {}) {
  const client = new MwgClient(url, options);
  client.start();
  try {
    await client.ready(client.options.connectTimeout);
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}

/** Returns a client at once; it connects in the background (`await client.ready()` to wait). */
export function start(url, options = {}) {
  const client = new MwgClient(url, options);
  client.start();
  return client;
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes, strings and Base64

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8'); // not fatal: bytes that are not UTF-8 show as U+FFFD in string mode

/** @param {Uint8Array} bytes */
export function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, /** @type {any} */ (bytes.subarray(i, i + 0x8000)));
  }
  return btoa(text);
}

/** @param {string} text */
export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const toBytes = (x) => (x instanceof Uint8Array ? x : utf8Encoder.encode(checkString(x)));

function checkString(x) {
  if (typeof x !== 'string') throw new TypeError('keys, values and prefixes are strings or Uint8Arrays');
  return x;
}

/** Reads a wire string of a frame in `encoding` as the caller wants it: a string, or bytes when `binary`. */
function fromWire(text, encoding, binary) {
  if (encoding === 'base64') {
    const bytes = fromBase64(text);
    return binary ? bytes : utf8Decoder.decode(bytes);
  }
  return binary ? utf8Encoder.encode(text) : text;
}

/** The request's encoding: Base64 when asked or when any argument is bytes, else plain UTF-8 text. */
function wireEncoding(items, binary) {
  return binary || items.some((x) => x instanceof Uint8Array) ? 'base64' : 'utf8';
}

const toWire = (x, encoding) => (encoding === 'base64' ? toBase64(toBytes(x)) : checkString(x));

const asList = (x) => (Array.isArray(x) ? x : [x]);

/** put's argument: `{key: value}`, `[[key, value]]` or `[{key, value}]`. */
function pairsOf(pairs) {
  if (Array.isArray(pairs)) {
    return pairs.map((p) => (Array.isArray(p) ? { key: p[0], value: p[1] } : { key: p.key, value: p.value }));
  }
  if (pairs && typeof pairs === 'object') return Object.entries(pairs).map(([key, value]) => ({ key, value }));
  throw new TypeError('put takes {key: value}, [[key, value], ...] or [{key, value}, ...]');
}

// ---------------------------------------------------------------------------------------------------------------
// Internal signals

/** The connection ended under a request: `sent` tells whether the request had left. */
class SessionLost extends Error {
  constructor(sent) {
    super('connection lost');
    this.sent = sent;
  }
}

/** A request's own deadline passed. */
class DeadlinePassed extends Error {}

/** Races `promise` against `deadline` (ms since epoch). */
function beforeDeadline(promise, deadline) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlinePassed()), Math.max(0, deadline - Date.now()));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function errorOf(reply) {
  const e = reply.error ?? {};
  return new MwgError(e.id ?? 'Internal', `${e.id ?? 'Internal'}: ${e.message ?? 'error'}`, { status: reply.status });
}

const lostWrite = () =>
  new MwgError('Unavailable', 'the connection was lost before the reply: the request may or may not have been applied', {
    retryable: true,
    outcomeUnknown: true,
  });

/** Surfaces an application callback's exception without breaking the client's receive path. */
function report(error) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else setTimeout(() => { throw error; });
}

// ---------------------------------------------------------------------------------------------------------------
// One websocket connection

class Session {
  constructor(client, socket) {
    this.client = client;
    this.socket = socket;
    /** @type {Map<string, {resolve: Function, reject: Function, onReply?: Function}>} */
    this.pending = new Map();
    /** @type {Map<number, Subscription>} server subscription id -> subscription */
    this.bound = new Map();
    /** Pushes for ids whose subscribe reply has not arrived (the server replays before it replies). */
    this.unclaimed = new Map();
    this.pendingBinds = 0;
    this.isEnded = false;
    this.hello = null;
    this.heartbeat = null;
    this.heartbeatDeadline = null;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  /**
   * Sends a request; resolves with its reply frame, rejects with SessionLost or, past `deadline` (ms since the epoch),
   * DeadlinePassed (a late reply is then ignored). `onReply` runs on the receive path, before any later frame.
   */
  send(body, onReply, deadline) {
    if (this.isEnded || this.socket.readyState !== 1) return Promise.reject(new SessionLost(false));
    const requestId = this.client.nextRequestId();
    const frame = JSON.stringify({ requestId, ...body });
    return new Promise((resolve, reject) => {
      try {
        this.socket.send(frame);
      } catch {
        reject(new SessionLost(false));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new DeadlinePassed());
      }, Math.max(0, deadline - Date.now()));
      this.pending.set(requestId, {
        onReply,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  onText(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return; // the server only sends JSON; nothing sensible to do with anything else
    }
    if (message.p === 2) {
      clearTimeout(this.heartbeatDeadline);
      this.heartbeatDeadline = null;
      return;
    }
    if (typeof message.requestId === 'string') {
      const request = this.pending.get(message.requestId);
      if (request) {
        this.pending.delete(message.requestId);
        request.onReply?.(message);
        request.resolve(message);
      }
      return;
    }
    this.client.onPush(this, message);
  }

  /** Kuzzle's heartbeat: `{"p":1}` every interval; no `{"p":2}` within the request timeout drops the connection. */
  startHeartbeat(interval, timeout) {
    if (!(interval > 0)) return;
    this.heartbeat = setInterval(() => {
      if (this.isEnded || this.heartbeatDeadline) return;
      try {
        this.socket.send('{"p":1}');
      } catch {
        return;
      }
      this.heartbeatDeadline = setTimeout(() => this.abort(), timeout);
    }, interval);
  }

  /** Drops the connection now (no close handshake to wait for). */
  abort() {
    try {
      if (typeof this.socket.terminate === 'function') this.socket.terminate();
      else this.socket.close();
    } catch {
      // already closed
    }
    this.end(1006);
  }

  end(code) {
    if (this.isEnded) return;
    this.isEnded = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.heartbeatDeadline);
    this.client.markEnded(this);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const request of pending) request.reject(new SessionLost(true));
    this.resolveEnded(code);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Subscriptions

export class Subscription {
  constructor(client, prefixes, options, onChange) {
    this.client = client;
    /** @type {(string|Uint8Array)[]} */
    this.prefixes = prefixes;
    this.values = options.values ?? true;
    this.binary = options.binary ?? client.options.binary ?? false;
    /** Last revision delivered (or the one the subscription started at); -1 until the server confirmed it. */
    this.lastRevision = options.since ?? -1;
    this.onChange = onChange;
    this.closed = false;
    this.session = null;
    this.binding = null;
    this.wireId = null;
  }

  get hasStarted() {
    return this.lastRevision >= 0;
  }

  /** Unsubscribes (locally at once, on the server when connected). */
  close() {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.client.unsubscribe(this);
  }

  /** Delivers a change unless its revision was delivered already (the seam between two connections). */
  deliverChange(revision, changes) {
    if (revision <= this.lastRevision) return;
    this.lastRevision = revision;
    this.deliver({ type: 'change', revision, changes });
  }

  deliver(event) {
    if (this.closed) return;
    if (event.type === 'reloadAll' || event.type === 'reloadKeys' || event.type === 'values') this.client.emit('reload', event, this);
    try {
      this.onChange?.(event, this);
    } catch (error) {
      report(error);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The client

export class MwgClient {
  constructor(url, options = {}) {
    this.url = new URL(String(url));
    if (this.url.protocol !== 'ws:' && this.url.protocol !== 'wss:') throw new TypeError('the url must be ws:// or wss://');
    this.options = { ...DEFAULTS, ...options };
    for (const name of Object.keys(DEFAULTS)) {
      const value = this.options[name];
      if (typeof value !== 'number' || !(value >= 0)) throw new TypeError(`${name} must be a number >= 0`);
    }
    if (this.options.reconnectJitter > 1) throw new TypeError('reconnectJitter must be between 0 and 1');
    this.token = options.token ?? null;
    /** @type {'connecting'|'connected'|'reconnecting'|'closed'} */
    this.state = 'connecting';
    /** The highest store revision seen (write replies, subscriptions, notifications). */
    this.lastSeenRevision = 0;
    /** The leased id prefix, `{prefix, leaseToken}`, or null. */
    this.lease = null;
    /** The limits the server announced in its hello. */
    this.serverLimits = null;
    /** @type {Subscription[]} */
    this.subscriptions = [];
    this.listeners = new Map();
    this.current = null; // the open session, restoring or live
    this.live = null; // set once restored: requests go here
    this.closedReason = null;
    this.requestCounter = 0;
    this.wakeUp = null;
    this.leaseGate = Promise.resolve();
    this.newConnectedSignal();
  }

  // --- events ----------------------------------------------------------------------------------------------------

  /** `state`, `reload`, `leaseLost`, `tokenExpired`, `serverError`. Returns a function that removes the listener. */
  on(name, listener) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(listener);
    return () => this.off(name, listener);
  }

  off(name, listener) {
    this.listeners.get(name)?.delete(listener);
  }

  emit(name, ...args) {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        report(error);
      }
    }
  }

  setState(next) {
    if (this.state === next || this.state === 'closed') return;
    const previous = this.state;
    this.state = next;
    this.emit('state', next, previous);
  }

  // --- connection life -------------------------------------------------------------------------------------------

  start() {
    if (!this.running) this.running = this.run();
    return this;
  }

  /** Resolves when connected (lease reclaimed, subscriptions resumed); rejects once closed or after `timeout` ms. */
  async ready(timeout = this.options.connectTimeout) {
    this.throwIfClosed();
    if (this.live) return;
    try {
      await beforeDeadline(this.connected, Date.now() + timeout);
    } catch (error) {
      if (error instanceof DeadlinePassed) throw new MwgError('Unavailable', 'could not connect to the server within the connect timeout');
      throw error;
    }
  }

  newConnectedSignal() {
    this.connected = new Promise((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(() => {}); // observed: nobody may be waiting
  }

  async run() {
    let attempt = 0;
    while (!this.closedReason) {
      let session;
      try {
        session = await this.open();
      } catch (error) {
        if (this.closedReason) return;
        if (error instanceof MwgError && !error.retryable) {
          this.fail(error);
          return;
        }
        attempt++;
        await this.sleep(this.backoff(attempt));
        continue;
      }
      const { restored, code } = await this.runSession(session);
      if (this.closedReason) return;
      if (FATAL_CLOSE_CODES.has(code)) {
        // The server found our frames wrong: sending them again would fail again.
        this.fail(new MwgError('BadFrame', `the server closed the connection (${code})`, { retryable: false }));
        return;
      }
      attempt = restored ? 1 : attempt + 1;
      // A policy close (overload, auth) is not retried fast.
      await this.sleep(code === POLICY_CLOSE ? this.options.reconnectMaxDelay : this.backoff(attempt));
    }
  }

  /** Attempt n waits min × 2^(n-1), capped, less a random share (jitter) so many clients do not reconnect in step. */
  backoff(attempt) {
    const { reconnectMinDelay: min, reconnectMaxDelay: max, reconnectJitter: jitter } = this.options;
    const ms = Math.min(min * 2 ** Math.min(Math.max(attempt - 1, 0), 30), max);
    return Math.max(0, ms - ms * jitter * Math.random());
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => (this.wakeUp = null));
  }

  async webSocketClass() {
    if (this.options.WebSocket) return this.options.WebSocket;
    if (typeof globalThis.WebSocket === 'function') return globalThis.WebSocket;
    try {
      const ws = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'ws');
      return ws.WebSocket ?? ws.default;
    } catch {
      throw new MwgError('Unavailable', 'no WebSocket here: pass {WebSocket} (Node 20: npm install ws)', { retryable: false });
    }
  }

  /** Opens a websocket and waits for the server's hello. */
  async open() {
    const WebSocketClass = await this.webSocketClass();
    // The npm ws package (it has terminate) can send the token as a header; browsers cannot, so it goes in the query.
    const headers = typeof WebSocketClass.prototype?.terminate === 'function';
    const url = new URL(this.url);
    if (this.token && !headers) url.searchParams.set('token', this.token);
    const socket = headers && this.token
      ? new WebSocketClass(url.href, SUBPROTOCOL, { headers: { Authorization: `Bearer ${this.token}` } })
      : new WebSocketClass(url.href, SUBPROTOCOL);
    const session = new Session(this, socket);
    this.current = session;
    return new Promise((resolve, reject) => {
      let greeted = false;
      const timer = setTimeout(() => session.abort(), this.options.connectTimeout);
      session.ended.then((code) => {
        clearTimeout(timer);
        if (!greeted) reject(new MwgError('Unavailable', `could not connect (${code})`));
      });
      socket.onerror = () => {}; // a close event follows
      socket.onclose = (event) => session.end(event.code);
      socket.onmessage = (event) => {
        if (greeted) {
          session.onText(event.data);
          return;
        }
        let hello;
        try {
          hello = JSON.parse(event.data);
        } catch {
          hello = null;
        }
        if (hello?.action !== 'hello') {
          session.abort();
          return;
        }
        greeted = true;
        clearTimeout(timer);
        session.hello = hello.result;
        this.serverLimits = hello.result?.limits ?? null;
        resolve(session);
      };
    });
  }

  async runSession(session) {
    if (this.closedReason) {
      session.abort();
      return { restored: false, code: 1000 };
    }
    let restored = false;
    try {
      await this.restore(session);
      restored = true;
      session.startHeartbeat(this.options.keepAliveInterval, this.options.requestTimeout);
    } catch {
      session.abort();
    }
    const code = await session.ended;
    if (this.current === session) this.current = null;
    return { restored, code };
  }

  /** Reclaims the lease, binds every subscription, then goes live. */
  async restore(session) {
    const deadline = Date.now() + this.options.requestTimeout;
    const lease = this.lease;
    if (lease) {
      const reply = await session.send({ action: 'lock', prefix: lease.prefix, leaseToken: lease.leaseToken }, undefined, deadline);
      if (reply.error) {
        const error = errorOf(reply);
        if (error.retryable) throw error;
        this.lease = null;
        this.emit('leaseLost', lease);
      } else {
        this.lease = { prefix: reply.result.prefix, leaseToken: reply.result.leaseToken ?? lease.leaseToken };
      }
    }
    await beforeDeadline(Promise.all([...this.subscriptions].map((s) => this.bindOrDrop(session, s, deadline))), deadline);
    if (this.closedReason || session.isEnded) throw new SessionLost(false);
    this.live = session;
    this.setState('connected');
    this.resolveConnected(session);
  }

  async bindOrDrop(session, subscription, deadline) {
    try {
      await this.bind(session, subscription, deadline);
    } catch (error) {
      if (!(error instanceof MwgError) || error.retryable) throw error;
      // The server refuses this subscription for good (too many, forbidden): it ends with that error.
      this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
      subscription.deliver({ type: 'error', error });
      subscription.closed = true;
    }
  }

  /** Subscribes on `session` once, however many callers ask (the restore and subscribe()). */
  bind(session, subscription, deadline) {
    if (subscription.session === session && subscription.binding) return subscription.binding;
    subscription.session = session;
    subscription.binding = this.subscribeOn(session, subscription, deadline);
    subscription.binding.catch(() => {});
    return subscription.binding;
  }

  async subscribeOn(session, subscription, deadline) {
    const since = subscription.hasStarted ? subscription.lastRevision : undefined;
    session.pendingBinds++;
    let answered = false;
    const body = {
      action: 'subscribe',
      // Base64 on the wire whatever the mode: a value that is not UTF-8 is then never left out of a notification.
      encoding: 'base64',
      prefixes: subscription.prefixes.map((p) => toBase64(toBytes(p))),
      includeValues: subscription.values,
    };
    if (since !== undefined) body.since = since;
    try {
      const reply = await session.send(
        body,
        (r) => {
          answered = true;
          this.onSubscribeReply(session, subscription, r);
        },
        deadline,
      );
      if (reply.error) throw errorOf(reply);
    } catch (error) {
      if (error instanceof DeadlinePassed) throw new MwgError('Timeout', 'subscribing timed out', { retryable: true });
      throw error;
    } finally {
      if (!answered) session.pendingBinds--;
    }
  }

  /** On the receive path: binds the server's id, then delivers what the replay sent before the reply. */
  onSubscribeReply(session, subscription, reply) {
    if (!reply.error && subscription.closed) {
      // Closed while the server was subscribing it: take it back off the server.
      session.send({ action: 'unsubscribe', subscriptionId: reply.result.subscriptionId }, undefined, Date.now() + this.options.requestTimeout).catch(() => {});
    } else if (!reply.error) {
      const { subscriptionId, revision } = reply.result;
      subscription.wireId = subscriptionId;
      session.bound.set(subscriptionId, subscription);
      const waiting = session.unclaimed.get(subscriptionId) ?? [];
      session.unclaimed.delete(subscriptionId);
      waiting.forEach((push, i) => {
        if (push.action === 'reloadAll') {
          // The replay stopped at a gap; the live stream resumes after the revision the reload covers.
          const next = waiting.slice(i + 1).find((p) => p.action === 'notify');
          this.reloadEverything(subscription, next ? next.result.revision - 1 : revision);
        } else {
          this.route(subscription, push);
        }
      });
      if (!subscription.hasStarted) subscription.lastRevision = revision;
      this.seen(revision);
    }
    if (--session.pendingBinds === 0) session.unclaimed.clear(); // a failed subscribe's id is never bound
  }

  onPush(session, message) {
    const room = message.room ?? '';
    if (room.startsWith('mwg.sub.')) {
      const id = Number(room.slice('mwg.sub.'.length));
      const subscription = session.bound.get(id);
      if (subscription) {
        this.route(subscription, message);
      } else if (session.pendingBinds > 0) {
        if (!session.unclaimed.has(id)) session.unclaimed.set(id, []);
        session.unclaimed.get(id).push(message);
      }
      return;
    }
    switch (message.action) {
      case 'reload':
      case 'reloadKeys':
        for (const subscription of [...session.bound.values()]) this.route(subscription, message);
        break;
      case 'tokenExpired':
        this.emit('tokenExpired');
        break;
      case 'hello':
        break;
      default:
        if (message.error) this.emit('serverError', errorOf(message));
    }
  }

  route(subscription, message) {
    const result = message.result ?? {};
    const read = (x) => fromWire(x, message.encoding, subscription.binary);
    switch (message.action) {
      case 'notify':
        this.seen(result.revision);
        subscription.deliverChange(
          result.revision,
          (result.changes ?? []).map((c) =>
            c.removed ? { key: read(c.key), removed: true } : c.value === undefined ? { key: read(c.key) } : { key: read(c.key), value: read(c.value) },
          ),
        );
        break;
      case 'reloadAll':
        // Live (the server dropped our backlog): what follows is newer than anything delivered.
        this.reloadEverything(subscription, subscription.lastRevision);
        break;
      case 'reloadKeys':
        subscription.deliver({ type: 'reloadKeys', keys: (result.keys ?? []).map(read), prefixes: (result.prefixes ?? []).map(read) });
        break;
      case 'reload':
        subscription.deliver({ type: 'values', pairs: (result.pairs ?? []).map((p) => ({ key: read(p.key), value: read(p.value) })) });
        break;
    }
  }

  reloadEverything(subscription, revision) {
    subscription.lastRevision = revision;
    subscription.deliver({ type: 'reloadAll', revision });
  }

  /** The connection ended: requests wait for the next one. */
  markEnded(session) {
    if (this.live === session) {
      this.live = null;
      this.newConnectedSignal();
      this.setState('reconnecting');
    }
  }

  seen(revision) {
    if (typeof revision === 'number' && revision > this.lastSeenRevision) this.lastSeenRevision = revision;
    return revision;
  }

  nextRequestId() {
    return String(++this.requestCounter);
  }

  throwIfClosed() {
    if (this.closedReason) throw new MwgError(this.closedReason.code, this.closedReason.message, { retryable: false });
  }

  async waitLive(deadline) {
    this.throwIfClosed();
    return this.live ?? beforeDeadline(this.connected, deadline);
  }

  /**
   * One request. `read`: safe to repeat, sent again on the next connection when the connection drops. `write`: put
   * or remove, fails at once when not connected, never sent twice. `control`: waits for a connection, never sent twice.
   */
  async request(kind, body, onReply) {
    const deadline = Date.now() + this.options.requestTimeout;
    let sent = false;
    try {
      for (;;) {
        this.throwIfClosed();
        let session;
        if (kind === 'write') {
          session = this.live;
          if (!session) throw new MwgError('Unavailable', 'not connected', { retryable: true });
        } else {
          session = await this.waitLive(deadline);
        }
        try {
          sent = true;
          const reply = await session.send(body, onReply, deadline);
          if (reply.error) throw errorOf(reply);
          return reply.result ?? {};
        } catch (error) {
          if (!(error instanceof SessionLost)) throw error;
          if (kind === 'read' || !error.sent) {
            sent = false;
            continue; // never left, or safe to repeat: the next connection takes it
          }
          this.throwIfClosed();
          throw lostWrite();
        }
      }
    } catch (error) {
      if (!(error instanceof DeadlinePassed)) throw error;
      this.throwIfClosed();
      throw new MwgError('Timeout', 'the request timed out', { retryable: true, outcomeUnknown: sent && kind !== 'read' });
    }
  }

  // --- operations ------------------------------------------------------------------------------------------------

  /**
   * Reads keys: one value per key, null for a missing key. A single key (not an array) gives a single value.
   * A read lost with its connection is sent again on the next one.
   */
  async get(keys, options = {}) {
    const list = asList(keys);
    const binary = options.binary ?? this.options.binary ?? false;
    const encoding = wireEncoding(list, binary);
    const body = { action: 'get', keys: list.map((k) => toWire(k, encoding)) };
    if (encoding === 'base64') body.encoding = 'base64';
    const result = await this.request('read', body);
    const values = result.values.map((v) => (v === null ? null : fromWire(v, encoding, binary)));
    return Array.isArray(keys) ? values : values[0];
  }

  /** Writes pairs atomically; resolves with the store revision of the write. */
  async put(pairs) {
    const list = pairsOf(pairs);
    const encoding = wireEncoding(list.flatMap((p) => [p.key, p.value]), false);
    const body = { action: 'put', pairs: list.map((p) => ({ key: toWire(p.key, encoding), value: toWire(p.value, encoding) })) };
    if (encoding === 'base64') body.encoding = 'base64';
    return this.seen((await this.request('write', body)).revision);
  }

  /** Removes keys atomically; resolves with the store revision of the removal. */
  async remove(keys) {
    const list = asList(keys);
    const encoding = wireEncoding(list, false);
    const body = { action: 'remove', keys: list.map((k) => toWire(k, encoding)) };
    if (encoding === 'base64') body.encoding = 'base64';
    return this.seen((await this.request('write', body)).revision);
  }

  /** Leases a free id prefix, or returns the one held. It is reclaimed on every reconnect. */
  lock() {
    return this.withLeaseGate(async () => {
      if (this.lease) return this.lease;
      const result = await this.request('control', { action: 'lock' });
      this.lease = { prefix: result.prefix, leaseToken: result.leaseToken };
      return this.lease;
    });
  }

  /** Releases the held prefix (nothing when none is held). An unlock lost with its connection is sent again. */
  unlock() {
    return this.withLeaseGate(async () => {
      while (this.lease) {
        const lease = this.lease;
        try {
          await this.request('control', { action: 'unlock', prefix: lease.prefix, leaseToken: lease.leaseToken });
          this.lease = null;
        } catch (error) {
          if (error.code === 'NotLockHolder' || error.code === 'LeaseTokenInvalid') this.lease = null; // not ours any more
          else if (!(error.outcomeUnknown && error.code === 'Unavailable')) throw error;
          // lost with the connection: after the reconnect we hold it again (reclaimed) or not at all
        }
      }
    });
  }

  withLeaseGate(action) {
    const run = this.leaseGate.then(action, action);
    this.leaseGate = run.catch(() => {});
    return run;
  }

  /**
   * Subscribes to every key under `prefixes` (the empty prefix is every key); resolves once the server confirmed it
   * (after replaying the changes after `since`). `onChange(event, subscription)` gets each event in order.
   */
  async subscribe(prefixes, options = {}, onChange = undefined) {
    if (typeof options === 'function') {
      onChange = options;
      options = {};
    }
    const list = asList(prefixes);
    if (list.length === 0) throw new TypeError('at least one prefix (the empty prefix is every key)');
    list.forEach(toBytes); // type check now, not on the wire
    this.throwIfClosed();
    const subscription = new Subscription(this, list, options, onChange);
    this.subscriptions.push(subscription);
    const deadline = Date.now() + this.options.requestTimeout;
    try {
      for (;;) {
        const session = await this.waitLive(deadline);
        try {
          await beforeDeadline(this.bind(session, subscription, deadline), deadline);
          return subscription;
        } catch (error) {
          if (!(error instanceof SessionLost)) throw error;
          // bound again by the next connection's restore, or by this loop
        }
      }
    } catch (error) {
      this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
      subscription.closed = true;
      if (error instanceof DeadlinePassed) {
        this.throwIfClosed();
        throw new MwgError('Timeout', 'subscribing timed out');
      }
      throw error;
    }
  }

  async unsubscribe(subscription) {
    this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
    const session = subscription.session;
    if (!session || session !== this.live || subscription.wireId === null || session.bound.get(subscription.wireId) !== subscription) return;
    const wireId = subscription.wireId;
    try {
      await session.send({ action: 'unsubscribe', subscriptionId: wireId }, () => session.bound.delete(wireId), Date.now() + this.options.requestTimeout);
    } catch {
      // best effort: a lost connection drops its subscriptions anyway
    }
  }

  /** Round trip to the server; resolves with the milliseconds it took. */
  async ping() {
    const startedAt = Date.now();
    await this.request('read', { action: 'ping' });
    return Date.now() - startedAt;
  }

  /**
   * Presents a new token in-band (after `tokenExpired`, or to change rights) and keeps it for reconnects.
   * Resolves with `{subject, expiresAt}`. Paused subscriptions resume where they were.
   */
  async auth(token) {
    this.token = token;
    return this.request('read', { action: 'auth', token });
  }

  // --- HTTP: the key listing and the figures ---------------------------------------------------------------------

  httpUrl(path) {
    const url = new URL(path, this.url);
    url.protocol = this.url.protocol === 'wss:' ? 'https:' : 'http:';
    url.search = '';
    return url;
  }

  async http(url) {
    const fetchFunction = this.options.fetch ?? globalThis.fetch;
    const headers = this.token ? { Authorization: `Bearer ${this.token}` } : {};
    let response;
    try {
      response = await fetchFunction(url.href, { headers, signal: AbortSignal.timeout(this.options.requestTimeout) });
    } catch (error) {
      if (error?.name === 'TimeoutError') throw new MwgError('Timeout', 'the request timed out');
      throw new MwgError('Unavailable', 'the server could not be reached');
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok) return body;
    const code = { 400: 'BadFrame', 401: 'Unauthorized', 403: 'Forbidden', 422: 'NotRepresentable' }[response.status] ?? 'Unavailable';
    throw new MwgError(code, `${code}: ${body.error ?? response.statusText}`, { status: response.status });
  }

  /**
   * Lists the pairs under `prefix` in key order (HTTP `GET /keys`): `{revision, truncated, pairs: [{key, value}]}`.
   * Subscribe with `{since: revision}` to follow the listing without missing a change.
   */
  async list(prefix = '', options = {}) {
    const binary = options.binary ?? this.options.binary ?? false;
    const url = this.httpUrl('keys');
    url.searchParams.set('prefix', toBase64(toBytes(prefix)));
    url.searchParams.set('encoding', 'base64');
    if (options.limit !== undefined) url.searchParams.set('limit', String(options.limit));
    const body = await this.http(url);
    this.seen(body.revision);
    return {
      revision: body.revision,
      truncated: body.truncated,
      pairs: body.pairs.map((p) => ({ key: fromWire(p.key, 'base64', binary), value: fromWire(p.value, 'base64', binary) })),
    };
  }

  /** The server's figures (HTTP `GET /admin/stats`; with authentication on, the token needs the reload right). */
  stats() {
    return this.http(this.httpUrl('admin/stats'));
  }

  // --- closing ---------------------------------------------------------------------------------------------------

  /** Final: the server refused us. Subscriptions get an `error` event. */
  fail(reason) {
    const subscriptions = this.shutDown(reason);
    for (const subscription of subscriptions) {
      subscription.deliver({ type: 'error', error: reason });
      subscription.closed = true;
    }
    this.current?.abort();
  }

  /**
   * Closes the connection, fails what is pending and ends every subscription. It does not unlock: a held prefix
   * stays reserved for the server's grace period (call unlock() first).
   */
  close() {
    if (this.closedReason) return;
    const subscriptions = this.shutDown(new MwgError('Unavailable', 'the client is closed', { retryable: false }));
    for (const subscription of subscriptions) subscription.closed = true;
    const session = this.current;
    if (session) {
      try {
        session.socket.close(1000);
      } catch {
        // already closed
      }
      session.end(1000);
    }
  }

  shutDown(reason) {
    this.closedReason = reason;
    this.live = null;
    this.rejectConnected(reason);
    this.setState('closed');
    this.wakeUp?.();
    const subscriptions = this.subscriptions;
    this.subscriptions = [];
    return subscriptions;
  }
}
