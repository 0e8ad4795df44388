import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountGraph } from './account-graph.js';
import { densestCore } from './dense-core.js';

function graphOf(edges: [string, string, number][]): AccountGraph {
  const graph: AccountGraph = {
    nodes: [...new Set(edges.flatMap(([a, b]) => [a, b]))],
    links: new Map(),
  };
  for (const [a, b, weight] of edges)
    graph.links.set(a < b ? `${a}|${b}` : `${b}|${a}`, {
      weight,
      kinds: new Map([['template', 1]]),
    });
  return graph;
}

test('peeling keeps the tightly linked core and drops accounts hanging on by one weak link', () => {
  const core = ['a', 'b', 'c', 'd', 'e'];
  const edges: [string, string, number][] = [];
  for (let i = 0; i < core.length; i += 1)
    for (let j = i + 1; j < core.length; j += 1) edges.push([core[i], core[j], 2]);
  edges.push(['e', 'x', 0.3], ['x', 'y', 0.3]);
  const result = densestCore([...core, 'x', 'y'], graphOf(edges));
  assert.deepEqual(result.members.sort(), core);
  assert.equal(result.density, (10 * 2) / 5);
});

test('a single pair is its own core', () => {
  const result = densestCore(['a', 'b'], graphOf([['a', 'b', 1]]));
  assert.deepEqual(result.members.sort(), ['a', 'b']);
});
