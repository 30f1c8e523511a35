import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { addressKey, type Address } from '../protocol/types.js';
import type { DatagramHandler, Transport } from './transport.js';

export interface UdpTransportOptions {
  readonly bind: Address;
  readonly onDatagram: DatagramHandler;
  /** Called when the OS refuses a send (unreachable, buffer full…); the datagram is lost. */
  readonly onSendError?: (error: Error, to: Address) => void;
  /** Clock for the receive timestamp. */
  readonly nowMs: () => number;
}

/** Socket receive buffer asked of the OS: room for bursts while the event loop is busy. */
const RECEIVE_BUFFER_BYTES = 2 * 1024 * 1024;

/** Binds a UDP socket; rejects with an error naming the address if it cannot. */
export async function openUdpTransport(options: UdpTransportOptions): Promise<Transport> {
  const socket = createSocket({ type: isIPv6(options.bind.host) ? 'udp6' : 'udp4', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.close();
      reject(new Error(`cannot bind UDP ${addressKey(options.bind)}: ${error.message}`));
    };
    socket.once('error', onError);
    socket.bind(options.bind.port, options.bind.host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  try {
    socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
  } catch {
    // The OS may cap the buffer; the default still works, only bursts suffer.
  }
  const bound = socket.address();
  const local: Address = { host: bound.address, port: bound.port };
  socket.on('message', (bytes, info) => {
    options.onDatagram(bytes, { host: info.address, port: info.port }, options.nowMs());
  });
  // After binding, socket errors are per-datagram (ICMP unreachable and the like): never fatal.
  socket.on('error', (error) => options.onSendError?.(error, local));
  return new UdpTransport(socket, local, options);
}

class UdpTransport implements Transport {
  private closed = false;

  constructor(
    private readonly socket: Socket,
    readonly local: Address,
    private readonly options: UdpTransportOptions,
  ) {}

  send(to: Address, bytes: Uint8Array): void {
    if (this.closed) return;
    this.socket.send(bytes, to.port, to.host, (error) => {
      if (error) this.options.onSendError?.(error, to);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
