// Free ports below 32768 (outside Linux's ephemeral range), checked for both UDP and TCP.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const FIRST_PORT = 20_000;
const LAST_PORT = 32_767;

export class PortAllocator {
  private next: number;

  constructor(offset = 0) {
    this.next = FIRST_PORT + (offset % 5_000);
  }

  /** The next port that is free for TCP and UDP on 127.0.0.1. */
  async take(): Promise<number> {
    while (this.next <= LAST_PORT) {
      const port = this.next++;
      if ((await tcpFree(port)) && (await udpFree(port))) return port;
    }
    throw new Error(`no free port left between ${FIRST_PORT} and ${LAST_PORT}`);
  }
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}
