// The evidence report's charts, drawn by ECharts on the server as SVG (no script in the report):
// the campaign's traffic over time with the model release marked, the capabilities it targeted,
// and its accounts linked by shared infrastructure (laid out by ForceAtlas2 over graphology).
// Okabe-Ito colours, safe for colour-blind readers.
import * as echarts from 'echarts';
import { UndirectedGraph } from 'graphology';
import { forceAtlas2 } from './force-layout.js';
import type { PackageFacts } from './package-facts.js';

export const palette = {
  blue: '#0072B2',
  orange: '#E69F00',
  vermillion: '#D55E00',
  green: '#009E73',
  sky: '#56B4E9',
  purple: '#CC79A7',
  grey: '#666666',
};

function render(width: number, height: number, option: echarts.EChartsOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Requests per hour (or day) of the campaign's accounts; the newest model's first appearance marked. */
export function timelineChart(facts: PackageFacts): string {
  const unit = facts.bucketMs === 3_600_000 ? 'hour' : 'day';
  const release = facts.release;
  return render(720, 260, {
    grid: { left: 56, right: 24, top: 52, bottom: 40 },
    title: {
      text: `Requests per ${unit} from the campaign's ${facts.accounts.length} accounts`,
      textStyle: { fontSize: 13 },
    },
    xAxis: { type: 'time', axisLabel: { formatter: '{MM}-{dd}\n{HH}:{mm}', fontSize: 10 } },
    yAxis: { type: 'value', name: 'requests', nameTextStyle: { fontSize: 11 } },
    series: [
      {
        type: 'bar',
        name: 'requests',
        itemStyle: { color: palette.blue },
        barMaxWidth: 8,
        data: facts.traffic.map((bucket) => [bucket.bucketMs, bucket.requests]),
        markLine: release
          ? {
              symbol: 'none',
              lineStyle: { color: palette.vermillion, type: 'dashed', width: 2 },
              label: {
                formatter: `${release.model} first seen`,
                color: palette.vermillion,
                position: 'end',
              },
              data: [{ xAxis: release.firstMs }],
            }
          : undefined,
      },
    ],
  });
}

/** The share of the campaign's traffic per capability it targeted. */
export function capabilitiesChart(facts: PackageFacts): string | null {
  const entries = Object.entries(facts.campaign.capabilities ?? {}).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return null;
  return render(720, 40 + 28 * entries.length, {
    grid: { left: 110, right: 48, top: 10, bottom: 24 },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: entries.map(([name]) => name.replace(/_/g, ' ')).reverse() },
    series: [
      {
        type: 'bar',
        itemStyle: { color: palette.orange },
        label: { show: true, position: 'right', formatter: '{c}%' },
        data: entries.map(([, share]) => Math.round(share * 1000) / 10).reverse(),
      },
    ],
  });
}

const kindColour: Record<string, string> = {
  card: palette.vermillion,
  'email domain': palette.purple,
  network: palette.green,
};

/** At most this many of each kind in the graph, the most shared first (a proxy pool has hundreds). */
export const graphedPerKind = 12;

export function graphedInfrastructure(facts: PackageFacts): PackageFacts['infrastructure'] {
  const counts = new Map<string, number>();
  return facts.infrastructure.filter((item) => {
    const seen = counts.get(item.kind) ?? 0;
    counts.set(item.kind, seen + 1);
    return seen < graphedPerKind;
  });
}

/** Accounts (small blue) linked to the cards, email domains and networks they share. */
export function infrastructureGraph(facts: PackageFacts): string | null {
  if (facts.infrastructure.length === 0) return null;
  const graph = new UndirectedGraph();
  const shown = graphedInfrastructure(facts);
  const nodes = [
    ...facts.accounts.map((account) => ({ id: `a:${account.label}`, kind: 'account' })),
    ...shown.map((item) => ({ id: `i:${item.kind}:${item.label}`, kind: item.kind })),
  ];
  // a deterministic start: the same case gives the same picture
  nodes.forEach((node, index) => {
    const angle = (2 * Math.PI * index) / nodes.length;
    graph.addNode(node.id, { x: Math.cos(angle) * 100, y: Math.sin(angle) * 100 });
  });
  for (const item of shown)
    for (const member of item.members)
      if (graph.hasNode(`a:${member}`))
        graph.mergeEdge(`i:${item.kind}:${item.label}`, `a:${member}`);
  const positions = forceAtlas2(graph, {
    iterations: 300,
    settings: { gravity: 1, scalingRatio: 8, barnesHutOptimize: nodes.length > 500 },
  });
  const labelled = shown.length <= 30;
  return render(720, 520, {
    legend: {
      bottom: 0,
      data: ['account', 'card', 'email domain', 'network'],
    },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: false,
        categories: [
          { name: 'account', itemStyle: { color: palette.blue } },
          { name: 'card', itemStyle: { color: kindColour.card } },
          { name: 'email domain', itemStyle: { color: kindColour['email domain'] } },
          { name: 'network', itemStyle: { color: kindColour.network } },
        ],
        lineStyle: { color: '#999999', opacity: 0.5, width: 0.6 },
        data: nodes.map((node) => ({
          name: node.id,
          x: positions[node.id].x,
          y: positions[node.id].y,
          category: ['account', 'card', 'email domain', 'network'].indexOf(node.kind),
          symbol: node.kind === 'account' ? 'circle' : 'rect',
          symbolSize: node.kind === 'account' ? 5 : 12,
          label: {
            show: node.kind !== 'account' && labelled,
            formatter: node.id.split(':').slice(2).join(':'),
            position: 'right',
            color: '#222222',
            fontSize: 9,
          },
        })),
        links: graph.mapEdges((_edge, _attributes, source, target) => ({ source, target })),
      },
    ],
  });
}
