// A minimal client of Serf's RPC protocol (msgpack over TCP, the one `serf event` and `serf
// query` use), so the bench times Serf's event and query from the moment they are issued,
// as it does gossipd's over HTTP, without a process spawn in either measurement.
import { connect, type Socket } from 'node:net';
import { Packr, Unpackr } from 'msgpackr';

export interface SerfQueryRecord {
  readonly type: 'ack' | 'response' | 'done';
  readonly from: string;
  readonly payload: string;
  readonly atMs: number;
}

type Waiter = (header: Record<string, unknown>, body: Record<string, unknown> | null) => void;

export class SerfRpc {
  private readonly packr = new Packr({ useRecords: false });
  private readonly unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
  private buffer = Buffer.alloc(0);
  private seq = 0;
  /** Seq → how many msgpack values follow each header (0 or 1), and who waits for them. */
  private readonly pending = new Map<number, { readonly bodies: boolean; readonly onRecord: Waiter }>();
  private header: Record<string, unknown> | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static async open(addr: string): Promise<SerfRpc> {
    const [host, port] = addr.split(':');
    const socket = connect(Number(port), host ?? '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const rpc = new SerfRpc(socket);
    await rpc.call('handshake', { Version: 1 });
    return rpc;
  }

  /** A command answered by one header (and no body). */
  call(command: string, body: Record<string, unknown>): Promise<void> {
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, {
        bodies: false,
        onRecord: (header) => {
          this.pending.delete(seq);
          const error = header['Error'];
          if (typeof error === 'string' && error !== '') reject(new Error(`serf ${command}: ${error}`));
          else resolve();
        },
      });
      this.socket.write(Buffer.concat([this.packr.pack({ Command: command, Seq: seq }), this.packr.pack(body)]));
    });
  }

  /** `serf query`: every ack and response as it arrives, stamped with performance.now(), until done. */
  query(body: Record<string, unknown>, now: () => number, onRecord: (record: SerfQueryRecord) => void): Promise<void> {
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      let first = true;
      this.pending.set(seq, {
        bodies: true,
        onRecord: (header, record) => {
          const error = header['Error'];
          if (typeof error === 'string' && error !== '') {
            this.pending.delete(seq);
            reject(new Error(`serf query: ${error}`));
            return;
          }
          if (first && record === null) {
            first = false;
            return;
          }
          if (record === null) return;
          const type = String(record['Type']) as SerfQueryRecord['type'];
          const payload = record['Payload'];
          onRecord({ type, from: String(record['From'] ?? ''), payload: Buffer.isBuffer(payload) || payload instanceof Uint8Array ? Buffer.from(payload).toString() : String(payload ?? ''), atMs: now() });
          if (type === 'done') {
            this.pending.delete(seq);
            resolve();
          }
        },
      });
      this.socket.write(Buffer.concat([this.packr.pack({ Command: 'query', Seq: seq }), this.packr.pack(body)]));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      let value: unknown;
      let end: number;
      try {
        const values: unknown[] = [];
        let last = 0;
        // One value at a time: a header tells whether a body follows.
        this.unpackr.unpackMultiple(this.buffer, (item: unknown, _start?: number, stop?: number) => {
          values.push(item);
          last = stop ?? 0;
          return false;
        });
        if (values.length === 0) return;
        value = values[0];
        end = last;
      } catch {
        return; // incomplete: wait for more bytes
      }
      this.buffer = this.buffer.subarray(end);
      this.onValue(value as Record<string, unknown>);
    }
  }

  private onValue(value: Record<string, unknown>): void {
    if (process.env["SERF_RPC_DEBUG"] !== undefined) process.stderr.write(`rpc value ${JSON.stringify(value)}\n`);
    if (this.header === null) {
      const seq = Number(value['Seq']);
      const waiting = this.pending.get(seq);
      const error = value['Error'];
      // A header with an error, or one for a command without bodies, stands alone.
      if (waiting === undefined || !waiting.bodies || (typeof error === 'string' && error !== '') || !this.expectBody.has(seq)) {
        if (waiting?.bodies === true) this.expectBody.add(seq);
        waiting?.onRecord(value, null);
        return;
      }
      this.header = value;
      return;
    }
    const header = this.header;
    this.header = null;
    this.pending.get(Number(header['Seq']))?.onRecord(header, value);
  }

  /** Streams whose first (bodiless) header was seen: each later header carries a record. */
  private readonly expectBody = new Set<number>();
}
