// Is a port reachable from the network, or only from this machine? Two views of the same fact:
// connecting to this machine's own non-loopback addresses (what a neighbour on the network would
// do), and the addresses the kernel says the port listens on (Linux /proc/net/tcp), which also
// answers on a machine whose only interface is loopback.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';

/** This machine's addresses on the network (not loopback). */
export function networkAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => Boolean(a) && !a!.internal && !a!.address.startsWith('fe80'))
    .map((a) => a.address);
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** The network addresses of this machine on which `port` accepts a connection (should be none). */
export async function reachableFromNetwork(port: number): Promise<string[]> {
  const open: string[] = [];
  for (const address of networkAddresses()) if (await connects(address, port)) open.push(address);
  return open;
}

const hexToIpv4 = (hex: string) => [hex.slice(6, 8), hex.slice(4, 6), hex.slice(2, 4), hex.slice(0, 2)].map((b) => parseInt(b, 16)).join('.');

/** The local addresses listening on `port` (Linux), e.g. ["127.0.0.1"]; "0.0.0.0" or "::" means every interface. */
export function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
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

export const isLoopbackAddress = (a: string) => a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
