// A first exchange with a running server in the JSON dialect: subscribe, put, see the notification, get.
// Node 22+: node docs/examples/first-exchange.mjs    Node 20: node --experimental-websocket docs/examples/first-exchange.mjs
const url = process.argv[2] ?? 'ws://127.0.0.1:7513/';
const ws = new WebSocket(url, 'mwg.json.v1');
const send = (request) => {
  const text = JSON.stringify(request);
  console.log('-> ' + text);
  ws.send(text);
};
let received = 0;
ws.onmessage = (event) => {
  console.log('<- ' + event.data);
  received++;
  if (received === 1) send({ requestId: '1', action: 'subscribe', prefixes: ['users/'], includeValues: true });
  if (received === 2) send({ requestId: '2', action: 'put', pairs: [{ key: 'users/ada', value: 'Ada Lovelace' }] });
  if (received === 4) send({ requestId: '3', action: 'get', keys: ['users/ada', 'users/bob'] });
  if (received === 5) ws.close();
};
ws.onerror = () => { console.error('cannot connect to ' + url + ' (is `mwg serve` running?)'); process.exit(1); };
