// A connection that discards what the server writes and looks like a TCP socket to the
// request's attributes: requests pushed into it are served with no socket and no client, so a
// count or a capture holds the server's work alone.
import { Duplex } from 'node:stream';

/** Connects a new in-memory connection to `server` (an http.Server); returns it to push requests into. */
export function connectInMemory(server, { remoteAddress = '127.0.0.1', localAddress = '127.0.0.1' } = {}) {
  const connection = new Duplex({ read() {}, write(_chunk, _encoding, done) { done(); } });
  Object.assign(connection, { remoteAddress, remotePort: 50000, localAddress, localPort: 3000, encrypted: false });
  connection.setTimeout = () => connection;
  connection.setNoDelay = () => connection;
  connection.setKeepAlive = () => connection;
  server.emit('connection', connection);
  return connection;
}
