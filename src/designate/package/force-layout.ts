// ForceAtlas2 (graphology-layout-forceatlas2) typed, for the evidence report's graph and the
// dashboard's: a CommonJS module whose default export is the layout function.
import type { UndirectedGraph } from 'graphology';
import forceAtlas2Module from 'graphology-layout-forceatlas2';

type ForceAtlas2 = (
  graph: UndirectedGraph,
  options: { iterations: number; settings?: Record<string, unknown> },
) => Record<string, { x: number; y: number }>;
export const forceAtlas2 = ((forceAtlas2Module as unknown as { default?: ForceAtlas2 }).default ??
  forceAtlas2Module) as unknown as ForceAtlas2;
