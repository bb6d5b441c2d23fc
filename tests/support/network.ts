// Is a port reachable from the network, or only from this machine? Judged from the kernel's listening
// table alone (Linux /proc/net/tcp and tcp6, else `ss -ltn`): the addresses a socket listens on say
// who can reach it, and the tests never send a packet to this machine's non-loopback addresses (CI
// machines allow traffic to loopback alone, and a firewall there would hide an exposed port).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** Whether something on this machine accepts connections on `port` (a connect, never a request). */
export const acceptsConnections = (port: number, host = '127.0.0.1') =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, host);
    socket
      .once('connect', () => {
        socket.destroy();
        resolve(true);
      })
      .once('error', () => resolve(false));
  });

const hexToIpv4 = (hex: string) =>
  [hex.slice(6, 8), hex.slice(4, 6), hex.slice(2, 4), hex.slice(0, 2)].map((b) => parseInt(b, 16)).join('.');

function fromProc(port: number): string[] {
  const out: string[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local) continue; // 0A: LISTEN
      const [addr, portHex] = local.split(':');
      if (parseInt(portHex, 16) !== port) continue;
      if (!v6) out.push(hexToIpv4(addr));
      else if (/^0{32}$/.test(addr)) out.push('::');
      else if (addr === '00000000000000000000000001000000') out.push('::1');
      else if (addr.startsWith('0000000000000000FFFF0000')) out.push(`::ffff:${hexToIpv4(addr.slice(24))}`);
      else out.push(addr);
    }
  }
  return out;
}

/** `ss -ltnH`: "LISTEN 0 511 127.0.0.1:3000 0.0.0.0:*", "[::1]:3000", "*:3000". */
function fromSs(port: number): string[] {
  const table = execFileSync('ss', ['-ltnH'], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[3])
    .filter((local): local is string => Boolean(local) && local.endsWith(`:${port}`))
    .map((local) =>
      local
        .slice(0, -`:${port}`.length)
        .replace(/^\[(.*)\]$/, '$1')
        .replace(/%.*$/, ''),
    )
    .map((a) => (a === '*' ? '0.0.0.0' : a));
}

/** The local addresses listening on `port`, e.g. ["127.0.0.1"]; "0.0.0.0" or "::" means every interface. */
export function listeningAddresses(port: number): string[] {
  if (fs.existsSync('/proc/net/tcp')) return fromProc(port);
  try {
    return fromSs(port);
  } catch (e) {
    throw new Error(
      `Cannot read the kernel's listening table: neither /proc/net/tcp nor \`ss -ltn\` is available (${e instanceof Error ? e.message : String(e)}).`,
    );
  }
}

export const isLoopbackAddress = (a: string) => a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');

/** The addresses beyond loopback on which `port` listens (should be none), from the listening table. */
export const exposedAddresses = (port: number) => listeningAddresses(port).filter((a) => !isLoopbackAddress(a));
