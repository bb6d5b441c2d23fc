// A WebSocket TEST DOUBLE of Supabase Realtime (msw `ws`), for unit tests only: Supabase's Realtime
// server (Elixir) cannot run here. It speaks the part of the Phoenix channel protocol that
// @supabase/realtime-js uses for Presence (serializer vsn 2.0.0: frames are JSON arrays
// [join_ref, ref, topic, event, payload]): heartbeat, phx_join (answered with phx_reply and
// presence_state), presence track/untrack (presence_diff to every member), access_token, phx_leave.
// Who may join is the test's `authorize` callback: the real decision (RLS on realtime.messages) is
// tested on real Postgres in tests/db/realtime-authorization.test.ts.
import { ws } from 'msw';
import type { WebSocketClientHandle } from '@mswjs/interceptors/WebSocket';

type Frame = [string | null, string | null, string, string, Record<string, unknown>];
type Client = WebSocketClientHandle<string | ArrayBufferLike | Blob | ArrayBufferView>;
export interface JoinRequest {
  topic: string;
  accessToken: string | undefined;
  config: { private?: boolean; presence?: { key?: string; enabled?: boolean } };
}

interface Member {
  client: Client;
  joinRef: string | null;
  key: string;
  meta: Record<string, unknown> | null;
}

export function realtimeDouble(supabaseUrl: string, authorize: (join: JoinRequest) => string | null) {
  const link = ws.link(`${supabaseUrl.replace(/^http/, 'ws')}/realtime/v1/websocket`);
  /** Everything the clients sent, decoded, in order: what tests assert on. */
  const received: Array<{ clientId: string; topic: string; event: string; payload: Record<string, unknown> }> = [];
  const members = new Map<string, Member[]>(); // topic -> joined members
  let phxRef = 0;

  const send = (client: Client, frame: Frame) => client.send(JSON.stringify(frame));
  const reply = (client: Client, [joinRef, ref, topic]: Frame, status: 'ok' | 'error', response: Record<string, unknown> = {}) =>
    send(client, [joinRef, ref, topic, 'phx_reply', { status, response }]);
  const presences = (list: Member[]) =>
    Object.fromEntries(
      [...new Set(list.filter((m) => m.meta).map((m) => m.key))].map((key) => [
        key,
        { metas: list.filter((m) => m.key === key && m.meta).map((m) => m.meta) },
      ]),
    );
  const diff = (topic: string, joins: Member[], leaves: Member[]) => {
    for (const m of members.get(topic) ?? [])
      send(m.client, [null, null, topic, 'presence_diff', { joins: presences(joins), leaves: presences(leaves) }]);
  };
  const leave = (topic: string, client: Client) => {
    const list = members.get(topic) ?? [];
    const gone = list.filter((m) => m.client === client);
    members.set(
      topic,
      list.filter((m) => m.client !== client),
    );
    diff(topic, [], gone);
  };

  const handler = link.addEventListener('connection', ({ client }) => {
    client.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return; // binary frames are user broadcasts: not used here
      const frame = JSON.parse(event.data) as Frame;
      const [joinRef, , topic, name, payload] = frame;
      received.push({ clientId: client.id, topic, event: name, payload });
      const me = (members.get(topic) ?? []).find((m) => m.client === client);
      if (name === 'heartbeat') return reply(client, frame, 'ok');
      if (name === 'phx_join') {
        const config = (payload.config ?? {}) as JoinRequest['config'];
        const refusal = authorize({
          topic: topic.replace(/^realtime:/, ''),
          accessToken: payload.access_token as string | undefined,
          config,
        });
        if (refusal) return reply(client, frame, 'error', { reason: refusal });
        const member: Member = { client, joinRef, key: config.presence?.key || client.id, meta: null };
        members.set(topic, [...(members.get(topic) ?? []).filter((m) => m.client !== client), member]);
        reply(client, frame, 'ok', { postgres_changes: [] });
        return send(client, [joinRef, null, topic, 'presence_state', presences(members.get(topic)!)]);
      }
      if (name === 'presence' && me) {
        reply(client, frame, 'ok');
        if (payload.event === 'track') {
          const before = { ...me };
          me.meta = { ...(payload.payload as Record<string, unknown>), phx_ref: `ref${++phxRef}` };
          return diff(topic, [me], before.meta ? [before] : []);
        }
        if (payload.event === 'untrack' && me.meta) {
          const gone = { ...me };
          me.meta = null;
          return diff(topic, [], [gone]);
        }
        return;
      }
      if (name === 'access_token') return reply(client, frame, 'ok');
      if (name === 'phx_leave') {
        reply(client, frame, 'ok');
        return leave(topic, client);
      }
    });
    client.addEventListener('close', () => {
      for (const topic of members.keys()) leave(topic, client);
    });
  });

  return {
    handler,
    received,
    /** Keys tracked on `topic` right now, as the server sees them. */
    trackedOn: (topic: string) =>
      (members.get(`realtime:${topic}`) ?? [])
        .filter((m) => m.meta)
        .map((m) => m.key)
        .sort(),
    /** The access tokens of every join and token update the clients sent for `topic`. */
    tokensFor: (topic: string) =>
      received
        .filter((r) => r.topic === `realtime:${topic}` && (r.event === 'phx_join' || r.event === 'access_token'))
        .map((r) => r.payload.access_token),
  };
}
