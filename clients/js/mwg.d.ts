// Type declarations of mwg.js, the MwgActors JavaScript client (JSON dialect mwg.json.v1).

/** A key, value or prefix: a string (UTF-8 on the wire) or raw bytes. */
export type Bytes = string | Uint8Array;

/** What keys and values come back as: strings, or Uint8Array in binary mode. */
export type Value<B extends boolean> = B extends true ? Uint8Array : string;

export const SUBPROTOCOL: 'mwg.json.v1';

export type ErrorCode =
  | 'BadFrame' | 'UnknownType' | 'FrameTooLarge' | 'TooManyKeys' | 'KeyTooLarge' | 'ValueTooLarge'
  | 'TooManySubscriptions' | 'UnknownSubscription' | 'NotLockHolder' | 'NoFreePrefix' | 'LeaseTokenInvalid'
  | 'ResumeTooOld' | 'NotRepresentable' | 'ReplyTooLarge' | 'TooManyPrefixes' | 'LeaseQuotaExceeded' | 'Unauthorized' | 'Forbidden' | 'RateLimited' | 'Overloaded'
  | 'Unavailable' | 'Timeout' | 'Internal';

/** Wire error codes (docs/protocol.md, section 4): name to number. */
export const ErrorCodes: Readonly<Record<ErrorCode, number>>;

/** Every failure of a call. */
export class MwgError extends Error {
  constructor(code: ErrorCode, message: string, details?: { retryable?: boolean; outcomeUnknown?: boolean; status?: number });
  /** The wire error name. */
  readonly code: ErrorCode;
  /** The wire error number. */
  readonly number: number;
  /** Trying again later may succeed. */
  readonly retryable: boolean;
  /** A put or remove was sent but its reply was lost: it may or may not have been applied. */
  readonly outcomeUnknown: boolean;
  /** The HTTP-style status of the server's reply, when there was one. */
  readonly status?: number;
}

/** A WebSocket constructor: the browser's, Node 22's, or the npm `ws` package's (Node 20). */
export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[], options?: unknown): WebSocketLike;
  readonly prototype: unknown;
}

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface ConnectOptions {
  /** A JWT or API key for a server with authentication on (browsers send it as ?token=, the `ws` package as a header). */
  token?: string;
  /** The WebSocket implementation; default: the global one, else the npm `ws` package if installed. */
  WebSocket?: WebSocketConstructor;
  /** The fetch function for list() and stats(); default: the global one. */
  fetch?: typeof fetch;
  /** Keys and values as Uint8Array instead of strings (each call may override). Default false. */
  binary?: boolean;
  /** One request, waiting for a connection included (ms). Default 30000. */
  requestTimeout?: number;
  /** One websocket handshake plus the server hello; also how long connect() waits (ms). Default 10000. */
  connectTimeout?: number;
  /** First reconnect delay, doubled on each failed attempt (ms). Default 100. */
  reconnectMinDelay?: number;
  /** Cap of the reconnect delay (ms). Default 30000. */
  reconnectMaxDelay?: number;
  /** Each delay is drawn in [d × (1 − jitter), d]. Default 0.5. */
  reconnectJitter?: number;
  /** A `{"p":1}` heartbeat after this long; no `{"p":2}` within requestTimeout drops the connection (ms, 0 = off). Default 30000. */
  keepAliveInterval?: number;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface Change<B extends boolean = false> {
  key: Value<B>;
  /** Present when the subscription asked for values and the key was written. */
  value?: Value<B>;
  /** True when the key was removed. */
  removed?: true;
}

/** The keys that changed at `revision`; delivered once per revision, in revision order, across reconnects. */
export interface ChangeEvent<B extends boolean = false> {
  type: 'change';
  revision: number;
  changes: Change<B>[];
}

/** The resume point was older than the server's history: drop and read again everything under the prefixes; changes after `revision` follow. */
export interface ReloadAllEvent {
  type: 'reloadAll';
  revision: number;
}

/** An operator's forced reload: drop and read again these keys and everything under these prefixes. */
export interface ReloadKeysEvent<B extends boolean = false> {
  type: 'reloadKeys';
  keys: Value<B>[];
  prefixes: Value<B>[];
}

/** Values pushed by the server to take as they are. */
export interface ValuesEvent<B extends boolean = false> {
  type: 'values';
  pairs: { key: Value<B>; value: Value<B> }[];
}

/** The server refused the subscription for good (e.g. Forbidden after a reconnect); nothing follows. */
export interface SubscriptionErrorEvent {
  type: 'error';
  error: MwgError;
}

export type ReloadEvent<B extends boolean = false> = ReloadAllEvent | ReloadKeysEvent<B> | ValuesEvent<B>;

export type SubscriptionEvent<B extends boolean = false> = ChangeEvent<B> | ReloadEvent<B> | SubscriptionErrorEvent;

export interface SubscribeOptions<B extends boolean = false> {
  /** The last revision already seen: every change after it is replayed first. */
  since?: number;
  /** Notifications carry the new values. Default true. */
  values?: boolean;
  /** Keys and values as Uint8Array. */
  binary?: B;
}

export class Subscription<B extends boolean = false> {
  readonly prefixes: Bytes[];
  readonly values: boolean;
  readonly binary: B;
  /** The last revision delivered, or the one the subscription started at. */
  readonly lastRevision: number;
  readonly closed: boolean;
  /** Unsubscribes (locally at once, on the server when connected). */
  close(): Promise<void>;
}

export interface Lease {
  prefix: number;
  /** Base64, as on the wire. */
  leaseToken: string;
}

export interface Listing<B extends boolean = false> {
  /** The pairs are at least this new: subscribe with `{since: revision}` to follow them. */
  revision: number;
  /** More pairs were left than the limit allowed. */
  truncated: boolean;
  pairs: { key: Value<B>; value: Value<B> }[];
}

export interface ServerStats {
  revision: number;
  connections: number;
  subscriptions: number;
  subscribers: number;
  connectionsG1: number;
  connectionsExtended: number;
  connectionsJson: number;
}

export interface ClientEvents {
  state: (state: ConnectionState, previous: ConnectionState) => void;
  reload: (event: ReloadEvent<boolean>, subscription: Subscription<boolean>) => void;
  leaseLost: (lease: Lease) => void;
  tokenExpired: () => void;
  serverError: (error: MwgError) => void;
}

export class MwgClient {
  constructor(url: string | URL, options?: ConnectOptions);
  readonly url: URL;
  readonly state: ConnectionState;
  /** The highest store revision seen (write replies, subscriptions, notifications). */
  readonly lastSeenRevision: number;
  readonly lease: Lease | null;
  readonly serverLimits: Record<string, number> | null;
  readonly subscriptions: readonly Subscription<boolean>[];

  on<K extends keyof ClientEvents>(name: K, listener: ClientEvents[K]): () => void;
  off<K extends keyof ClientEvents>(name: K, listener: ClientEvents[K]): void;

  /** Resolves when connected; rejects once closed or after `timeout` ms. */
  ready(timeout?: number): Promise<void>;

  get(key: Bytes, options?: { binary?: false }): Promise<string | null>;
  get(key: Bytes, options: { binary: true }): Promise<Uint8Array | null>;
  get(keys: Bytes[], options?: { binary?: false }): Promise<(string | null)[]>;
  get(keys: Bytes[], options: { binary: true }): Promise<(Uint8Array | null)[]>;

  /** Writes the pairs atomically; resolves with the revision of the write. */
  put(pairs: Record<string, Bytes> | [Bytes, Bytes][] | { key: Bytes; value: Bytes }[]): Promise<number>;

  /** Removes the keys atomically; resolves with the revision of the removal. */
  remove(keys: Bytes | Bytes[]): Promise<number>;

  /** Leases a free id prefix (or returns the one held); reclaimed on every reconnect. */
  lock(): Promise<Lease>;
  unlock(): Promise<void>;

  subscribe(prefixes: Bytes | Bytes[], onChange?: (event: SubscriptionEvent<false>, subscription: Subscription<false>) => void): Promise<Subscription<false>>;
  subscribe<B extends boolean = false>(
    prefixes: Bytes | Bytes[],
    options: SubscribeOptions<B>,
    onChange?: (event: SubscriptionEvent<B>, subscription: Subscription<B>) => void,
  ): Promise<Subscription<B>>;

  /** Round trip in milliseconds. */
  ping(): Promise<number>;

  /** Presents a new token in-band and keeps it for reconnects. */
  auth(token: string): Promise<{ subject: string; expiresAt?: number }>;

  /** The pairs under a prefix in key order (HTTP GET /keys). */
  list(prefix?: Bytes, options?: { limit?: number; binary?: false }): Promise<Listing<false>>;
  list(prefix: Bytes, options: { limit?: number; binary: true }): Promise<Listing<true>>;

  /** The server's figures (HTTP GET /admin/stats). */
  stats(): Promise<ServerStats>;

  /** Closes the connection and ends every subscription; pending calls fail with Unavailable. */
  close(): void;
}

/** Connects and resolves once the first connection is up (within connectTimeout). */
export function connect(url: string | URL, options?: ConnectOptions): Promise<MwgClient>;

/** Returns a client at once; it connects in the background. */
export function start(url: string | URL, options?: ConnectOptions): MwgClient;

export function toBase64(bytes: Uint8Array): string;
export function fromBase64(text: string): Uint8Array;
