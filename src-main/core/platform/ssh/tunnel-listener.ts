// The tunnel's local end: a listener on 127.0.0.1 that spawned tools and the app's own
// clients connect to. Kept apart from the link (tunnel.ts) because it outlives it: the port
// stays while the SSH link idles out or reconnects, so tools' saved settings remain valid.
import net from 'node:net';

/**
 * Prepares an accepted connection before it is carried. TCP_NODELAY (issue #21): the carrier
 * (the system ssh's master, which writes to this very socket, or ssh2 through Node) writes a
 * reply in several pieces as the bastion delivers it; with Nagle on, every piece after the
 * first waits for the client's delayed ACK (40 ms on Linux), and pg_dump's catalog queries
 * have replies of tens of kB — a pg_dump of one small table measured ~0.1 s slower through
 * the tunnel than through `ssh -L`, which sets TCP_NODELAY on the connections it accepts.
 * The option lives on the socket, not the descriptor, so it holds for the ssh process that
 * gets the socket as its stdin/stdout.
 */
function prepare(socket: net.Socket): void {
  socket.setNoDelay(true);
}

/**
 * Listens on 127.0.0.1, on `previousPort` when it is free (reopening after close(), so saved
 * tool settings still work), else on a fresh ephemeral port. Accepted connections arrive
 * paused: one the system ssh carries must not be read here (ssh reads the socket itself).
 */
export async function listenLoopback(previousPort: number | null, onSocket: (socket: net.Socket) => void): Promise<{ server: net.Server; port: number }> {
  const listenOn = (port: number): Promise<net.Server> =>
    new Promise((resolve, reject) => {
      const server = net.createServer({ pauseOnConnect: true }, (socket) => {
        prepare(socket);
        onSocket(socket);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve(server);
      });
    });
  const server = previousPort !== null ? await listenOn(previousPort).catch(() => listenOn(0)) : await listenOn(0);
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}
