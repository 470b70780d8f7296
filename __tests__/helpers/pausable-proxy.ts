/**
 * A TCP proxy to a local server that a test can pause: pause() cuts every open connection and holds new ones
 * (accepted, not forwarded) until resume(). TLS stays end to end. It lets a test decide exactly when a client's
 * reconnect reaches the server, e.g. only after the server state it would have read has been compacted away.
 */
import net from 'node:net';

export interface PausableProxy {
  readonly port: number;
  /** connections accepted so far */
  readonly connections: () => number;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startPausableProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<PausableProxy> {
  let paused = false;
  let accepted = 0;
  const live = new Set<net.Socket>();
  const held: net.Socket[] = [];

  const forward = (client: net.Socket): void => {
    const upstream = net.connect(targetPort, targetHost);
    live.add(client);
    live.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };

  const server = net.createServer((client) => {
    accepted += 1;
    client.pause();
    if (paused) {
      client.on('error', () => client.destroy());
      held.push(client);
    } else forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    connections: () => accepted,
    pause() {
      paused = true;
      for (const socket of live) socket.destroy();
      live.clear();
    },
    resume() {
      paused = false;
      for (const client of held.splice(0)) if (!client.destroyed) forward(client);
    },
    async close() {
      for (const socket of [...live, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
