/**
 * A TLS front for the dev server, which cannot serve TLS itself (`temporal server start-dev` has no TLS
 * flags in CLI v1.5.1): node:tls terminates TLS (with client certificates required, as an mTLS Temporal
 * frontend does) and passes the decrypted HTTP/2 stream to the dev server's plaintext port. Clients do a real
 * handshake and make real Temporal calls through it. It records who connected, by client certificate.
 */

import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

export interface MtlsProxy {
  /** `127.0.0.1:<port>` */
  address: string;
  port: number;
  /** The subject CN of each client certificate a handshake accepted. */
  acceptedClients: string[];
  /** Handshakes that failed, with the server side's reason. */
  refusedHandshakes: string[];
  close(): Promise<void>;
}

export async function startMtlsProxy(options: {
  /** host:port of the plaintext Temporal frontend. */
  target: string;
  cert: Buffer;
  key: Buffer;
  /** The CA client certificates must be signed by. */
  clientCa: Buffer;
}): Promise<MtlsProxy> {
  const [host, port] = splitAddress(options.target);
  const acceptedClients: string[] = [];
  const refusedHandshakes: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.clientCa,
      requestCert: true,
      rejectUnauthorized: true,
      // gRPC clients refuse a TLS server that does not agree to HTTP/2.
      ALPNProtocols: ['h2'],
    },
    (tlsSocket: TLSSocket) => {
      acceptedClients.push(String(tlsSocket.getPeerCertificate().subject?.CN ?? ''));
      const upstream = connect(port, host);
      for (const socket of [tlsSocket, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          tlsSocket.destroy();
          upstream.destroy();
        });
      }
      tlsSocket.pipe(upstream).pipe(tlsSocket);
    },
  );
  server.on('tlsClientError', (error) => refusedHandshakes.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listening = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${listening}`,
    port: listening,
    acceptedClients,
    refusedHandshakes,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitAddress(address: string): [string, number] {
  const separator = address.lastIndexOf(':');
  return [address.slice(0, separator), Number(address.slice(separator + 1))];
}
