// Densest core of a campaign by greedy peeling (Charikar 2000; the idea behind Fraudar's
// camouflage resistance): repeatedly remove the account with the least link weight to the rest and
// keep the subset whose average link weight per account was highest. Accounts an operator links to
// as camouflage, or that share one resource by chance, fall away; the core is what ties the
// campaign together.
import type { AccountGraph } from './account-graph.js';

export interface DenseCore {
  members: string[];
  /** Total link weight inside the core divided by its size. */
  density: number;
}

export function densestCore(members: readonly string[], graph: AccountGraph): DenseCore {
  const inside = new Set(members);
  const degree = new Map<string, number>(members.map((member) => [member, 0]));
  const neighbours = new Map<string, Map<string, number>>(
    members.map((member) => [member, new Map()]),
  );
  let total = 0;
  for (const [key, link] of graph.links) {
    const [a, b] = key.split('|');
    if (!inside.has(a) || !inside.has(b)) continue;
    degree.set(a, (degree.get(a) as number) + link.weight);
    degree.set(b, (degree.get(b) as number) + link.weight);
    (neighbours.get(a) as Map<string, number>).set(b, link.weight);
    (neighbours.get(b) as Map<string, number>).set(a, link.weight);
    total += link.weight;
  }
  const remaining = new Set(members);
  const removed: string[] = [];
  let bestDensity = remaining.size > 0 ? total / remaining.size : 0;
  let bestRemovedCount = 0;
  while (remaining.size > 1) {
    let weakest: string | null = null;
    for (const member of remaining) {
      if (
        weakest === null ||
        (degree.get(member) as number) < (degree.get(weakest) as number) ||
        ((degree.get(member) as number) === (degree.get(weakest) as number) && member < weakest)
      )
        weakest = member;
    }
    const node = weakest as string;
    remaining.delete(node);
    removed.push(node);
    total -= degree.get(node) as number;
    for (const [neighbour, weight] of neighbours.get(node) as Map<string, number>) {
      if (remaining.has(neighbour))
        degree.set(neighbour, (degree.get(neighbour) as number) - weight);
    }
    const density = total / remaining.size;
    if (density > bestDensity + 1e-9) {
      bestDensity = density;
      bestRemovedCount = removed.length;
    }
  }
  const dropped = new Set(removed.slice(0, bestRemovedCount));
  return { members: members.filter((member) => !dropped.has(member)), density: bestDensity };
}
