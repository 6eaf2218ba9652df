// A UDP socket on 127.0.0.1 standing in for the X-Ray daemon, accepting the header line as
// both aws-xray-sdk (`{"format":"json","version":1}`) and otel-xray (with spaces) write it.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';

/** A UDP socket as the daemon: each datagram is a header line (`{"format":"json","version":1}`, spaced or not) and a document. */
export async function startDaemon() {
  const socket = createSocket('udp4');
  const documents = [];
  const malformed = [];
  socket.on('message', (message) => {
    const text = message.toString('utf8');
    const newline = text.indexOf('\n');
    try {
      const header = JSON.parse(text.slice(0, newline));
      assert.deepEqual(header, { format: 'json', version: 1 });
      documents.push(JSON.parse(text.slice(newline + 1)));
    } catch {
      malformed.push(text);
    }
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { documents, malformed, address: `127.0.0.1:${socket.address().port}`, close: () => new Promise((resolve) => socket.close(resolve)) };
}
