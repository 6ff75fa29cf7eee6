// The live page: lists the keys under a prefix (GET /keys), follows them with a subscription from the listing's
// revision, shows the server's figures, and writes with the page's own client. No build step: plain ES modules.
import { start } from '../client/mwg.js';

const $ = (id) => document.getElementById(id);
const STATS_EVERY_MS = 2000;
const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;

let client = null;
let subscription = null;
let statsTimer = null;
let generation = 0; // a newer browse makes the events of an older one stale
let statsRevision = 0;

const rows = new Map(); // key -> <tr>

function show(text, isError = false) {
  const message = $('message');
  message.hidden = !text;
  message.textContent = text ?? '';
  message.classList.toggle('error', isError);
}

function setFigure(id, value, title) {
  $(id).textContent = value === undefined || value === null ? '–' : String(value);
  if (title) $(id).title = title;
}

function showRevision() {
  setFigure('revision', Math.max(client?.lastSeenRevision ?? 0, statsRevision));
}

/** What the token lets this page do, when it can tell: a JWT says its rights; an API key does not. */
function writeRightOf(token) {
  if (!token) return true; // no token: the server has authentication off (or the listing already said otherwise)
  const parts = token.split('.');
  if (parts.length !== 3) return true; // an API key: try, and show the server's answer
  try {
    const claims = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '=')));
    return Array.isArray(claims.mwg?.write) && claims.mwg.write.length > 0;
  } catch {
    return true;
  }
}

function rowFor(key) {
  let row = rows.get(key);
  if (row) return row;
  row = document.createElement('tr');
  row.dataset.key = key;
  for (const name of ['key', 'value', 'revision']) {
    const cell = document.createElement('td');
    cell.className = name;
    row.appendChild(cell);
  }
  row.cells[0].textContent = key;
  // Keep the table in key order.
  const after = [...rows.keys()].filter((k) => k > key).sort()[0];
  $('rows').insertBefore(row, after === undefined ? null : rows.get(after));
  rows.set(key, row);
  return row;
}

function setValue(row, value) {
  row.cells[1].textContent = value;
  row.cells[1].title = value;
}

function markChanged(row, revision) {
  row.classList.remove('changed');
  void row.offsetWidth; // restart the flash animation
  row.classList.add('changed');
  row.cells[2].textContent = String(revision);
}

function updateCaption(prefix, truncated) {
  const live = [...rows.values()].filter((r) => !r.classList.contains('removed')).length;
  $('caption').textContent = `${live} key${live === 1 ? '' : 's'} under ${prefix === '' ? '(every key)' : `"${prefix}"`}${truncated ? ' (first 1000 listed)' : ''}`;
}

function onEvent(event, prefix, truncated, mine) {
  if (mine !== generation) return;
  switch (event.type) {
    case 'change':
      for (const change of event.changes) {
        const row = rowFor(change.key);
        row.classList.toggle('removed', change.removed === true);
        if (!change.removed) setValue(row, change.value ?? '');
        markChanged(row, event.revision);
      }
      updateCaption(prefix, truncated);
      showRevision();
      break;
    case 'reloadAll':
    case 'reloadKeys':
    case 'values':
      // The server asks to read again (history gone, or an operator's forced reload): list afresh.
      browse(`listed again after a reload signal (${event.type})`);
      break;
    case 'error':
      show(`subscription refused: ${event.error.message}`, true);
      break;
  }
}

async function refreshStats() {
  if (!client) return;
  try {
    const stats = await client.stats();
    statsRevision = stats.revision;
    setFigure('connections', stats.connections, `${stats.connectionsJson} JSON, ${stats.connectionsExtended} mwg.v1, ${stats.connectionsG1} G1`);
    setFigure('subscriptions', stats.subscriptions, `held by ${stats.subscribers} subscriber(s)`);
  } catch (error) {
    const why = error.code === 'Forbidden' || error.code === 'Unauthorized' ? 'the token lacks the reload right (admin)' : error.message;
    setFigure('connections', null, why);
    setFigure('subscriptions', null, why);
  }
  showRevision();
}

/** Lists the prefix and follows it live; `note` is shown once listed. */
async function browse(note = '') {
  const mine = ++generation;
  const prefix = $('prefix').value;
  const token = $('token').value.trim();
  sessionStorage.setItem('mwg.token', token);
  const url = new URL(location.href);
  url.searchParams.set('prefix', prefix);
  history.replaceState(null, '', url);

  if (!client || client.token !== (token || null)) {
    client?.close();
    client = start(wsUrl, { token: token || undefined });
    client.on('state', (state) => {
      $('state').textContent = state;
      $('state').dataset.state = state;
    });
    client.on('tokenExpired', () => show('the token expired: enter a new one and browse again', true));
  }
  const current = client;
  await subscription?.close();
  subscription = null;

  let listing;
  try {
    listing = await current.list(prefix);
  } catch (error) {
    if (mine !== generation) return;
    rows.clear();
    $('rows').replaceChildren();
    $('writes').hidden = true;
    show(error.code === 'Unauthorized'
      ? 'This server requires a token: paste one in the token field and browse again.'
      : error.code === 'Forbidden' ? `The token may not read "${prefix}".` : `Cannot list keys: ${error.message}`, true);
    $(error.code === 'Unauthorized' ? 'token' : 'prefix').focus();
    return;
  }
  if (mine !== generation) return;

  rows.clear();
  $('rows').replaceChildren();
  for (const { key, value } of listing.pairs) setValue(rowFor(key), value);
  updateCaption(prefix, listing.truncated);
  $('writes').hidden = !writeRightOf(token);
  show(note);

  try {
    const subscribed = await current.subscribe(prefix, { since: listing.revision, values: true },
      (event) => onEvent(event, prefix, listing.truncated, mine));
    if (mine !== generation) {
      await subscribed.close();
      return;
    }
    subscription = subscribed;
  } catch (error) {
    if (mine === generation) show(`Cannot watch "${prefix}": ${error.message}`, true);
  }
  showRevision();
  refreshStats();
}

async function write(action) {
  try {
    const revision = await action();
    show(`written at revision ${revision}`);
    showRevision();
  } catch (error) {
    show(`${error.code}: ${error.message}`, true);
  }
}

$('browse').addEventListener('submit', (event) => {
  event.preventDefault();
  browse();
});

$('put').addEventListener('submit', (event) => {
  event.preventDefault();
  write(() => client.put([[$('put-key').value, $('put-value').value]]));
});

$('remove').addEventListener('submit', (event) => {
  event.preventDefault();
  write(() => client.remove($('remove-key').value));
});

$('prefix').value = new URLSearchParams(location.search).get('prefix') ?? '';
$('token').value = sessionStorage.getItem('mwg.token') ?? '';
statsTimer = setInterval(refreshStats, STATS_EVERY_MS);
addEventListener('pagehide', () => clearInterval(statsTimer));
browse();
