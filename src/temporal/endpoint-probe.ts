/**
 * Why a connection to Temporal failed, asked of the endpoint directly. The gRPC client of @temporalio/client
 * reports only "Failed to connect before the deadline", whatever the cause, so after a failure Ramp makes
 * one plain TCP or TLS connection with the same settings and reports what it met (refused, unknown issuer,
 * wrong name, a required client certificate, a TLS server reached without TLS).
 */
import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { TemporalTls } from '../config.ts';

/** How long a server may take to send its alert after the handshake (TLS 1.3 sends it then). */
const alertGraceMs = 300;

export function splitAddress(address: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(address);
  if (bracketed) return { host: bracketed[1] ?? '', port: Number(bracketed[2]) };
  const separator = address.lastIndexOf(':');
  if (separator < 0) return { host: address, port: 7233 };
  return { host: address.slice(0, separator), port: Number(address.slice(separator + 1)) };
}

/** What the endpoint says, in a few words; undefined when the probe itself connected fine. */
export async function probeTemporalEndpoint(
  config: { address: string; tls: TemporalTls | false },
  timeoutMs: number,
): Promise<string | undefined> {
  const { host, port } = splitAddress(config.address);
  if (config.tls) return tlsProbe(host, port, config.tls, timeoutMs);
  const tcp = await new Promise<string | undefined>((resolve) => {
    const socket = connectTcp({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(`TCP: ${error.code ?? error.message}`));
  });
  if (tcp) return tcp;
  // Reachable: is it a TLS server that a plaintext client cannot talk to?
  return (await completesTlsHandshake(host, port, timeoutMs))
    ? 'the server answers TLS, but TLS is off'
    : undefined;
}

function completesTlsHandshake(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTls({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** OpenSSL's alerts come as `…:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:…`. */
function readableTlsError(error: NodeJS.ErrnoException): string {
  const alert = /SSL routines:[^:]*:([^:]+):/.exec(error.message)?.[1];
  if (alert) return `the server refused the handshake (${alert})`;
  return `${error.message.split('\n')[0]}${error.code ? ` (${error.code})` : ''}`;
}

function tlsProbe(
  host: string,
  port: number,
  tls: TemporalTls,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    let isDone = false;
    const finish = (answer: string | undefined, socket: TLSSocket) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    // Node checks the certificate against `servername` (else the host): the override, as the gRPC clients do.
    const servername = tls.serverNameOverride ?? (isIP(host) ? undefined : host);
    const socket = connectTls({
      host,
      port,
      ...(servername ? { servername } : {}),
      ...(tls.serverRootCACertificate ? { ca: tls.serverRootCACertificate } : {}),
      ...(tls.clientCertPair ? { cert: tls.clientCertPair.crt, key: tls.clientCertPair.key } : {}),
      ALPNProtocols: ['h2'],
    });
    const timer = setTimeout(
      () => finish(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`, socket),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      setTimeout(() => finish(undefined, socket), alertGraceMs);
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(`TLS handshake: ${readableTlsError(error)}`, socket),
    );
  });
}
