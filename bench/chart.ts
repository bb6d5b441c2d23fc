// The bench's picture: bench/results.svg, drawn from results.json alone (no dependency, plain SVG
// text). Three panels over the same rows (data API direct, floor, this app, peer, and the
// authentication path not chosen): throughput, latency p50/p99 under load, and CPU per request,
// the app's bar split by the profile's parts. `npm run bench -- --render` redraws it.
import type { BenchResults, LoadSummary } from './report.ts';

type Load = LoadSummary & { cpuMsPerRequest: Record<string, number> };

const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const STACK = 'local stack (gateway, PostgREST, Postgres)';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en') : x.toFixed(x >= 10 ? 1 : 2));

interface Row {
  label: string;
  load: Load;
}

/** The SVG for results.json's app part, or null when the run measured no app. */
export function renderSvg(r: BenchResults): string | null {
  const a = r.app;
  if (!a) return null;
  const rows: Row[] = (
    [
      ['Data API direct', a.direct],
      ['Floor (no auth, Next.js + fetch)', a.floor],
      ['This app: GET /api/tasks', a.app],
      ["Peer (Clerk's example)", a.peer],
      ['/api in the proxy matcher + auth()', a.matched],
    ] as [string, Load | undefined][]
  )
    .filter((x): x is [string, Load] => Boolean(x[1]))
    .map(([label, load]) => ({ label, load }));

  const W = 980;
  const labelW = 250;
  const barW = W - labelW - 90;
  const rowH = 22;
  const out: string[] = [];
  let y = 0;
  const text = (x: number, ty: number, s: string, extra = '') => out.push(`<text x="${x}" y="${ty}" ${extra}>${esc(s)}</text>`);
  const rect = (x: number, ry: number, w: number, h: number, fill: string, title: string) =>
    out.push(
      `<rect x="${x.toFixed(1)}" y="${ry}" width="${Math.max(0, w).toFixed(1)}" height="${h}" fill="${fill}"><title>${esc(title)}</title></rect>`,
    );

  const panel = (title: string, draw: () => void) => {
    y += 28;
    text(0, y, title, 'font-weight="bold"');
    y += 10;
    draw();
    y += 8;
  };

  text(
    0,
    18,
    `npm run bench (${r.mode} size, ${r.date.slice(0, 10)}): ${a.route}, ${a.connections} connections, ${a.users} users' tokens`,
    'font-size="15" font-weight="bold"',
  );
  y = 22;

  panel('Throughput (requests per second, higher is better)', () => {
    const max = Math.max(...rows.map((x) => x.load.requestsPerSecond));
    for (const row of rows) {
      text(0, y + 15, row.label);
      rect(labelW, y + 3, (row.load.requestsPerSecond / max) * barW, rowH - 6, COLORS[0], `${row.load.requestsPerSecond} req/s`);
      text(labelW + (row.load.requestsPerSecond / max) * barW + 6, y + 15, fmt(row.load.requestsPerSecond));
      y += rowH;
    }
  });

  panel('Latency under load: median and p99 (ms, lower is better)', () => {
    const max = Math.max(...rows.map((x) => x.load.latencyP99Ms));
    for (const row of rows) {
      text(0, y + 15, row.label);
      rect(labelW, y + 3, (row.load.latencyP99Ms / max) * barW, rowH - 6, '#c9d7e8', `p99 ${row.load.latencyP99Ms} ms`);
      rect(labelW, y + 3, (row.load.latencyMedianMs / max) * barW, rowH - 6, COLORS[0], `median ${row.load.latencyMedianMs} ms`);
      text(labelW + (row.load.latencyP99Ms / max) * barW + 6, y + 15, `${fmt(row.load.latencyMedianMs)} / ${fmt(row.load.latencyP99Ms)}`);
      y += rowH;
    }
  });

  // The app's Next.js CPU split by the profile's parts (shares of the profiled run, scaled to the unprofiled figure).
  const parts = (r.profile?.categories ?? []).filter((c) => c.share >= 0.02);
  const rest = 1 - parts.reduce((s, c) => s + c.share, 0);
  const legend = new Map<string, string>();
  const colorOf = (name: string) => {
    // Not the first two colours: those are the throughput bars and the baselines' Next.js server.
    if (!legend.has(name)) legend.set(name, COLORS[2 + (legend.size % (COLORS.length - 2))]);
    return legend.get(name)!;
  };
  panel('CPU per request (ms, lower is better): the Next.js server, then the local stack', () => {
    const total = (l: Load) => (l.cpuMsPerRequest['next start'] ?? 0) + (l.cpuMsPerRequest[STACK] ?? 0);
    const max = Math.max(...rows.map((x) => total(x.load)));
    const scale = barW / max;
    for (const row of rows) {
      text(0, y + 15, row.label);
      const next = row.load.cpuMsPerRequest['next start'] ?? 0;
      let x = labelW;
      if (row.load === a.app && parts.length) {
        for (const c of [...parts, { category: 'other', share: rest }]) {
          const w = c.share * next * scale;
          rect(
            x,
            y + 3,
            w,
            rowH - 6,
            c.category === 'other' ? '#999' : colorOf(c.category),
            `${c.category}: ${(c.share * next).toFixed(2)} ms`,
          );
          x += w;
        }
      } else {
        rect(x, y + 3, next * scale, rowH - 6, COLORS[1], `Next.js server: ${next.toFixed(2)} ms`);
        x += next * scale;
      }
      const stack = row.load.cpuMsPerRequest[STACK] ?? 0;
      rect(x, y + 3, stack * scale, rowH - 6, '#d0d0d0', `local stack: ${stack.toFixed(2)} ms`);
      text(x + stack * scale + 6, y + 15, `${fmt(next)} + ${fmt(stack)}`);
      y += rowH;
    }
    if (legend.size) {
      y += 6;
      let x = 0;
      for (const [name, color] of [
        ...legend,
        ['other parts', '#999'],
        ['Next.js server (baselines)', COLORS[1]],
        ['local stack', '#d0d0d0'],
      ] as [string, string][]) {
        const label = name.replace(/ \(.*\)$/, '');
        if (x + label.length * 7 + 24 > W) {
          x = 0;
          y += 18;
        }
        rect(x, y + 4, 12, 12, color, name);
        text(x + 16, y + 14, label, 'font-size="11"');
        x += label.length * 6.5 + 34;
      }
      y += 22;
    }
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 10}" viewBox="0 0 ${W} ${y + 10}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
