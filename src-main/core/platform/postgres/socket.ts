// A socket with a deadline, shared by the database and SSH stages of test connection.
import net from 'node:net';

export function timeoutError(what: string, ms: number): Error {
  return Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' });
}

/** A TCP (or Unix socket) connection within `ms`; the raw error, or an ETIMEDOUT error. */
export function openSocket(options: net.NetConnectOpts, ms: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(timeoutError('TCP connect', ms));
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}
