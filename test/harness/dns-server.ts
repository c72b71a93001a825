import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

/** SRV record data (RFC 2782). A target of "." means "service not available" (RFC 6186 §4). */
export interface SrvAnswer {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface DnsZone {
  srv?: Record<string, SrvAnswer[]>;
  a?: Record<string, string[]>;
}

export interface LoopbackDnsServer extends AsyncDisposable {
  /** "127.0.0.1:<port>", the form `dns.Resolver#setServers` and TIDINGS_DNS_SERVER take. */
  readonly address: string;
  /** Names asked, lower case, with their query type ("SRV", "A", "AAAA", or the number). */
  readonly queries: { name: string; type: string }[];
  close(): Promise<void>;
}

const TYPE = { A: 1, AAAA: 28, SRV: 33 } as const;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 28: 'AAAA', 33: 'SRV' };

/**
 * A tiny authoritative DNS server over UDP on loopback, enough for the real `dns.Resolver`
 * (c-ares) to resolve SRV and A records from `zone`; everything else is NXDOMAIN. Names are
 * matched case-insensitively. It speaks only the parts of RFC 1035 it needs: one question per
 * query, no compression in questions, answers that point back at the question name.
 *
 * @example
 * await using dns = await startDnsServer({ srv: { '_imaps._tcp.example.test': [{ priority: 0, weight: 0, port: 993, target: 'imap.example.test' }] } });
 * const r = new Resolver(); r.setServers([dns.address]);
 */
export async function startDnsServer(zone: DnsZone): Promise<LoopbackDnsServer> {
  const socket: Socket = createSocket('udp4');
  const queries: { name: string; type: string }[] = [];
  const srv = lowerKeys(zone.srv ?? {});
  const a = lowerKeys(zone.a ?? {});
  socket.on('error', () => undefined);
  socket.on('message', (msg, rinfo) => {
    const reply = answer(msg, srv, a, queries);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  let closed = false;
  const close = () =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      closed = true;
      socket.close(() => resolve());
    });
  return { address: `127.0.0.1:${port}`, queries, close, [Symbol.asyncDispose]: close };
}

function lowerKeys<T>(o: Record<string, T>): Map<string, T> {
  return new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]));
}

function answer(
  msg: Buffer,
  srv: Map<string, SrvAnswer[]>,
  a: Map<string, string[]>,
  queries: { name: string; type: string }[],
): Buffer | null {
  if (msg.length < 12) return null;
  const qdcount = msg.readUInt16BE(4);
  if (qdcount !== 1) return null;
  // Question: labels, then QTYPE and QCLASS.
  let pos = 12;
  const labels: string[] = [];
  while (pos < msg.length) {
    const len = msg[pos]!;
    if (len === 0) break;
    if (len > 63) return null;
    labels.push(msg.subarray(pos + 1, pos + 1 + len).toString('latin1'));
    pos += 1 + len;
  }
  const questionEnd = pos + 1 + 4;
  if (questionEnd > msg.length) return null;
  const qtype = msg.readUInt16BE(pos + 1);
  const name = labels.join('.').toLowerCase();
  queries.push({ name, type: TYPE_NAMES[qtype] ?? String(qtype) });

  const records: Buffer[] = [];
  if (qtype === TYPE.SRV) {
    for (const r of srv.get(name) ?? []) {
      const target = encodeName(r.target);
      const rdata = Buffer.alloc(6 + target.length);
      rdata.writeUInt16BE(r.priority, 0);
      rdata.writeUInt16BE(r.weight, 2);
      rdata.writeUInt16BE(r.port, 4);
      target.copy(rdata, 6);
      records.push(rr(TYPE.SRV, rdata));
    }
  } else if (qtype === TYPE.A) {
    for (const ip of a.get(name) ?? []) {
      if (isIP(ip) !== 4) continue;
      records.push(rr(TYPE.A, Buffer.from(ip.split('.').map(Number))));
    }
  }
  const known = srv.has(name) || a.has(name);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(msg.readUInt16BE(0), 0); // id
  // QR=1, opcode 0, AA=1, RD copied, RA=1; RCODE 3 (NXDOMAIN) for unknown names, 0 otherwise.
  const rd = msg[2]! & 0x01;
  header.writeUInt16BE(0x8400 | (rd << 8) | 0x0080 | (known ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(0, 10);
  return Buffer.concat([header, msg.subarray(12, questionEnd), ...records]);
}

/** A resource record whose owner is the question name (compression pointer to offset 12). */
function rr(type: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4); // IN
  head.writeUInt32BE(60, 6); // TTL
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

function encodeName(name: string): Buffer {
  const trimmed = name.replace(/\.$/, '');
  if (trimmed === '') return Buffer.from([0]);
  const parts = trimmed.split('.').map((l) => {
    const b = Buffer.from(l, 'latin1');
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}
