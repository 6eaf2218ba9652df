import { getJson, h, serviceColour, svg } from './dom.js';

const COLUMN = 230;
const ROW = 120;
const RADIUS = 34;

// Columns by call depth from the client: a breadth-first walk, each node placed once (cycles stop there).
function layout(nodes, edges) {
  const depth = new Map();
  const roots = nodes.filter((node) => node.type === 'client' || !edges.some((edge) => edge.to === node.name));
  const queue = roots.map((node) => [node.name, 0]);
  while (queue.length > 0) {
    const [name, level] = queue.shift();
    if (depth.has(name)) continue;
    depth.set(name, level);
    for (const edge of edges) if (edge.from === name && !depth.has(edge.to)) queue.push([edge.to, level + 1]);
  }
  for (const node of nodes) if (!depth.has(node.name)) depth.set(node.name, 0);
  const rows = new Map();
  const position = new Map();
  for (const node of nodes) {
    const column = depth.get(node.name);
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    position.set(node.name, { x: 80 + column * COLUMN, y: 70 + row * ROW });
  }
  return position;
}

const rate = (failures, count) => (count === 0 ? 0 : Math.round((failures / count) * 100));
const fill = (node) => (node.type === 'client' ? '#777' : node.type === 'aws' ? '#d88a00' : node.type === 'remote' ? '#5a6f8a' : serviceColour(node.name));

/** The service map of the traces held: services, remote and AWS nodes; edges with call counts and error rates. */
export async function render(view) {
  const { nodes, edges } = await getJson('/api/service-map');
  if (nodes.length === 0) {
    view.replaceChildren(h('p', { class: 'empty' }, 'No traces yet.'));
    return;
  }
  const position = layout(nodes, edges);
  const width = Math.max(...[...position.values()].map((p) => p.x)) + 160;
  const height = Math.max(...[...position.values()].map((p) => p.y)) + 90;
  const marker = svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
    svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#555' })));
  const edgeElements = edges.map((edge) => {
    const from = position.get(edge.from);
    const to = position.get(edge.to);
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    const [x1, y1] = [from.x + (dx / length) * RADIUS, from.y + (dy / length) * RADIUS];
    const [x2, y2] = [to.x - (dx / length) * (RADIUS + 2), to.y - (dy / length) * (RADIUS + 2)];
    const failing = rate(edge.failures, edge.count);
    return svg('g', { class: 'edge', 'data-from': edge.from, 'data-to': edge.to },
      svg('line', { x1, y1, x2, y2, stroke: failing > 0 ? '#c0392b' : '#555', 'stroke-width': 2, 'marker-end': 'url(#arrow)' }),
      svg('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, 'text-anchor': 'middle', class: 'edge-label' }, `${edge.count} call${edge.count === 1 ? '' : 's'} · ${failing}% err`));
  });
  const nodeElements = nodes.map((node) => {
    const { x, y } = position.get(node.name);
    const failing = rate(node.failures, node.count);
    return svg('g', { class: `node node-${node.type}`, 'data-name': node.name, 'data-type': node.type },
      svg('circle', { cx: x, cy: y, r: RADIUS, fill: fill(node), stroke: failing > 0 ? '#c0392b' : '#fff', 'stroke-width': failing > 0 ? 4 : 2 }),
      svg('text', { x, y: y + 5, 'text-anchor': 'middle', class: 'node-count' }, node.type === 'client' ? '' : String(node.count)),
      svg('text', { x, y: y + RADIUS + 18, 'text-anchor': 'middle', class: 'node-name' }, node.name),
      svg('text', { x, y: y + RADIUS + 33, 'text-anchor': 'middle', class: 'node-type' }, node.type === 'client' ? 'client' : `${node.type}${failing > 0 ? ` · ${failing}% err` : ''}`));
  });
  view.replaceChildren(
    h('p', { class: 'summary' }, `${nodes.length} nodes, ${edges.length} edges, from the traces held`),
    h('section', { class: 'service-map' }, svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'service map' }, marker, edgeElements, nodeElements)));
}
