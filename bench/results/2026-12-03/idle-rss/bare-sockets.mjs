// An ES module holding an HTTP server and a UDP socket on 127.0.0.1, idle, for 21 s.
import { createServer } from 'node:http';
import { createSocket } from 'node:dgram';
createServer(() => {}).listen(17957, '127.0.0.1');
createSocket('udp4').bind(17956, '127.0.0.1');
setTimeout(() => process.exit(0), 21_000);
