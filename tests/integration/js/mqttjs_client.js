// MQTT.js driven from the integration tests (test_websocket.py).
//
//   node mqttjs_client.js URL VERSION roundtrip TOPIC [--ca F] [--cert F --key F]
//       connect, subscribe TOPIC (QoS 1), publish to it, print the message as
//       a JSON line, disconnect
//   node mqttjs_client.js URL VERSION sub TOPIC COUNT [--ca F]
//       print "SUBSCRIBED", then COUNT messages as JSON lines, then exit
//   node mqttjs_client.js URL VERSION pub TOPIC PAYLOAD [--ca F]
//
// VERSION is 4 (MQTT 3.1.1) or 5. Exits 1 on any error or after 15 s.
'use strict';
const fs = require('fs');
const mqtt = require('mqtt');

const [url, version, mode, topic, ...rest] = process.argv.slice(2);
const opts = { protocolVersion: Number(version), reconnectPeriod: 0, connectTimeout: 5000, clean: true };
const positional = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--ca') opts.ca = fs.readFileSync(rest[++i]);
  else if (rest[i] === '--cert') opts.cert = fs.readFileSync(rest[++i]);
  else if (rest[i] === '--key') opts.key = fs.readFileSync(rest[++i]);
  else positional.push(rest[i]);
}
if (opts.ca) opts.rejectUnauthorized = true;

const fail = (why) => { console.error(String(why)); process.exit(1); };
setTimeout(() => fail('timeout'), 15000).unref();

const client = mqtt.connect(url, opts);
client.on('error', fail);
const print = (t, payload, packet) => {
  const line = { topic: t, payload: payload.toString(), qos: packet.qos };
  if (packet.properties) line.properties = packet.properties;
  process.stdout.write(JSON.stringify(line) + '\n');
};

client.on('connect', () => {
  if (mode === 'pub') {
    client.publish(topic, positional[0], { qos: 1 }, (err) => { if (err) fail(err); client.end(false, {}, () => process.exit(0)); });
    return;
  }
  let left = mode === 'sub' ? Number(positional[0]) : 1;
  client.on('message', (t, payload, packet) => {
    print(t, payload, packet);
    if (--left === 0) client.end(false, {}, () => process.exit(0));
  });
  client.subscribe(topic, { qos: 1 }, (err, granted) => {
    if (err || !granted.length || granted[0].qos > 2) fail(err || 'subscribe refused');
    if (mode === 'sub') process.stdout.write('SUBSCRIBED\n');
    else client.publish(topic, 'hello from mqtt.js v' + version, { qos: 1 });
  });
});
