import { diag } from '@opentelemetry/api';
import { Agent as HttpAgent } from 'node:http';
import type { AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { httpsModule } from './https-module.js';

type CreateConnection = (options: object, callback?: (error: Error | null, socket: Duplex) => void) => Duplex | null | undefined;

function ignoreSocketError(error: Error): void {
  diag.debug(`otel-xray: export connection error: ${error.message}`);
}

/**
 * Gives every socket the agent creates an 'error' listener of its own, for its whole life.
 * Node 20's HTTP client leaves a socket without one for a moment, e.g. when a server answers
 * early on a keep-alive connection and resets it while a large body is still being written;
 * an 'error' then would be unhandled and end the process. The request still sees the error
 * through its own listener, so the export fails (and is retried) as usual.
 */
export function guardAgent<T extends HttpAgent>(agent: T): T {
  const create = (agent as unknown as { createConnection: CreateConnection }).createConnection.bind(agent);
  const createConnection: CreateConnection = (options, callback) => {
    const guarded = (socket: Duplex | null | undefined): void => {
      if (socket != null && !socket.listeners('error').includes(ignoreSocketError)) socket.on('error', ignoreSocketError);
    };
    const socket = create(options, (error, created) => {
      guarded(created);
      callback?.(error, created);
    });
    guarded(socket);
    return socket;
  };
  (agent as unknown as { createConnection: CreateConnection }).createConnection = createConnection;
  return agent;
}

/**
 * A keep-alive agent for exporter requests (`http:` or `https:`) whose sockets can never
 * raise an unhandled 'error'. `options` are https.Agent options (TLS ones apply to `https:`).
 *
 * @example
 * new OTLPTraceExporter({ httpAgentOptions: async (protocol) => guardedAgent(protocol) });
 */
export function guardedAgent(protocol: string, options: AgentOptions = {}): HttpAgent {
  const settings = { keepAlive: true, ...options };
  return guardAgent(protocol === 'http:' ? new HttpAgent(settings) : new (httpsModule().Agent)(settings));
}
