// dynalite (an in-memory DynamoDB) on 127.0.0.1, on a free port.
import dynalite from 'dynalite';

/** Starts dynalite; returns { url, port, server, close }. Tables are created and deleted without delay. */
export async function startDynalite() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
