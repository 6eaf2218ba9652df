// What bench/run.mjs prints: the per-variant table (best round of each server) and the Targets
// block, each target of the project's performance issue as a ratio with PASS or MISS.
import { coldStartAdded } from './cold-start-measure.mjs';

export const TARGETS = {
  /** otel-xray sampled: added µs/req ÷ the cheapest peer's added µs/req, at most. */
  sampled: 0.12,
  /** otel-xray unsampled: traced req/s ÷ bare req/s, at least. */
  unsampled: 0.93,
  /** Spans delivered per sampled request: 1 within this. */
  delivery: 0.005,
  /** Cold start: otel-xray's addition ÷ aws-xray-sdk's addition, at most. */
  coldStart: 1.3,
};

const LABELS = {
  bare: 'bare (no tracing)',
  als: 'bare + AsyncLocalStorage.run (floor)',
  'xray-idle': 'otel-xray started, no middleware',
  xray: 'otel-xray, sampled (OTLP)',
  'xray-unsampled': 'otel-xray, unsampled',
  otel: 'OpenTelemetry instrumentation',
  'xray-sdk': 'aws-xray-sdk-express (UDP)',
};
const OTEL_PEERS = { express: '-http + -express', fastify: '-http + @fastify/otel', koa: '-http + -koa' };
const PEERS = ['otel', 'xray-sdk'];
const NO_SPANS = ['bare', 'als', 'xray-idle'];

const label = (framework, variant) => (variant === 'otel' ? `${LABELS.otel} (${OTEL_PEERS[framework]})` : LABELS[variant]);
const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const kilo = (value) => (Number.isFinite(value) ? (value / 1000).toFixed(1) : 'n/a');

function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Each load of a variant against the bare loads right before and after it, which ran at the
 * same machine speed: the median over the rounds of traced ÷ bare throughput, and of the µs per
 * request added. On a machine whose speed drifts (a shared VM), a variant's best round set
 * against bare's best (bare runs 2–3× as many loads, so its best comes from more chances)
 * understates every variant; neighbouring loads do not have that bias.
 */
function pairedWithBare(loads) {
  const rounds = loads
    .filter((load) => load.bareNeighbours !== undefined)
    .map((load) => {
      const bareMicros = load.bareNeighbours.reduce((sum, bare) => sum + 1e6 / bare.rps, 0) / load.bareNeighbours.length;
      const micros = 1e6 / load.rps;
      return { ratio: bareMicros / micros, added: micros - bareMicros };
    });
  return { ratio: median(rounds.map((r) => r.ratio)), addedMicros: median(rounds.map((r) => r.added)) };
}

const bestLoad = (loads) => loads.reduce((best, load) => (best === undefined || load.rps > best.rps ? load : best), undefined);

/**
 * Per framework, each server's best round next to bare's best: ratio = best rps ÷ bare's best
 * rps, added µs/req = 1e6/rps − 1e6/bare rps (the server has one core, so time per request);
 * and `paired`, the same against the neighbouring bare loads (the figures the targets use).
 */
export function summarize(servers) {
  const frameworks = {};
  for (const server of servers) (frameworks[server.framework] ??= []).push(server);
  const summary = {};
  for (const [framework, group] of Object.entries(frameworks)) {
    const bare = group.find((s) => s.variant === 'bare');
    const bareBest = bestLoad(bare.loads);
    const bareCpu = median(bare.loads.map((l) => l.cpuPerRequest));
    const bareInstructions = median(bare.loads.map((l) => l.instructionsPerRequest));
    summary[framework] = group.map((server) => {
      const best = bestLoad(server.loads);
      const cpu = median(server.loads.map((l) => l.cpuPerRequest));
      const instructions = median(server.loads.map((l) => l.instructionsPerRequest));
      return {
        variant: server.variant,
        best,
        rounds: server.loads.map((l) => l.rps),
        ratio: best.rps / bareBest.rps,
        addedMicros: 1e6 / best.rps - 1e6 / bareBest.rps,
        paired: pairedWithBare(server.loads),
        failures: server.loads.reduce((n, l) => n + l.failures, 0),
        cpu,
        cpuAdded: cpu - bareCpu,
        instructions,
        instructionsAdded: instructions - bareInstructions,
        spansPerRequest: server.spansPerRequest,
      };
    });
  }
  return summary;
}

/**
 * The markdown table of every variant. "server CPU %" is the best round's CPU time over its
 * wall time (100 = one core busy): well under 100, the server waited (on other processes
 * sharing its core, or on the load generator) and its req/s understates it.
 */
export function table(summary, { countInstructions }) {
  const lines = [
    `| framework | variant | req/s (best round) | × bare (best rounds) | added µs/req (best rounds) | × bare (neighbours) | added µs/req (neighbours) | req/s per round (k) | p99 ms | server CPU % | CPU µs/req (median) | CPU over bare | spans/req |${countInstructions ? ' k instr/req | over bare |' : ''}`,
    `|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|${countInstructions ? '---:|---:|' : ''}`,
  ];
  for (const [framework, rows] of Object.entries(summary)) {
    for (const row of rows) {
      const bare = row.variant === 'bare';
      lines.push(
        `| ${framework} | ${label(framework, row.variant)}${row.failures ? ` (${row.failures} failed)` : ''} | ${fmt(row.best.rps)} | ` +
          `${fmt(row.ratio, 2)} | ${bare ? '–' : fmt(row.addedMicros, 1)} | ${bare ? '–' : fmt(row.paired.ratio, 2)} | ${bare ? '–' : fmt(row.paired.addedMicros, 1)} | ${row.rounds.map(kilo).join(' ')} | ${fmt(row.best.p99, 1)} | ${fmt(row.best.cpuPerRequest * row.best.rps / 1e4)} | ` +
          `${fmt(row.cpu, 1)} | ${bare ? '–' : fmt(row.cpuAdded, 1)} | ${NO_SPANS.includes(row.variant) ? '–' : fmt(row.spansPerRequest, 3)} |` +
          (countInstructions ? ` ${fmt(row.instructions / 1000)} | ${bare ? '–' : fmt(row.instructionsAdded / 1000)} |` : ''),
      );
    }
  }
  return lines.join('\n');
}

/**
 * How much bare's req/s moved between its loads, per framework: (best − worst) ÷ best. On
 * an otherwise idle machine it stays within a few percent; well above, other work shared the
 * cores and the ratios carry that noise.
 */
export function bareSpread(summary) {
  return Object.entries(summary)
    .map(([framework, rows]) => {
      const rounds = rows.find((r) => r.variant === 'bare').rounds;
      return `${framework} ${fmt((100 * (Math.max(...rounds) - Math.min(...rounds))) / Math.max(...rounds))}%`;
    })
    .join(', ');
}

/**
 * One line per target per framework (and per cold-start kind): the measured ratio, PASS or MISS.
 * Throughput targets also show the same ratio from the servers' CPU µs/req, a cross-check that
 * moves less when other processes share the server's core (the verdict stays on throughput).
 */
export function targets(summary, cold) {
  const lines = [];
  const check = (ok, subject, text) => lines.push(`${ok ? 'PASS' : 'MISS'}  ${subject.padEnd(20)} ${text}`);
  for (const [framework, rows] of Object.entries(summary)) {
    const row = (variant) => rows.find((r) => r.variant === variant);
    const sampled = row('xray');
    const peers = PEERS.map(row).filter((r) => r !== undefined);
    if (sampled !== undefined && peers.length > 0) {
      const cheapest = peers.reduce((a, b) => (b.paired.addedMicros < a.paired.addedMicros ? b : a));
      const ratio = sampled.paired.addedMicros / cheapest.paired.addedMicros;
      const cheapestBest = Math.min(...peers.map((r) => r.addedMicros));
      const cheapestCpu = Math.min(...peers.map((r) => r.cpuAdded));
      check(
        cheapest.paired.addedMicros > 0 && ratio <= TARGETS.sampled,
        `${framework} sampled`,
        `${fmt(ratio, 3)} = added ${fmt(sampled.paired.addedMicros, 1)} µs/req ÷ cheapest peer's ${fmt(cheapest.paired.addedMicros, 1)} µs/req (${label(framework, cheapest.variant)}); ` +
          `best rounds ${fmt(sampled.addedMicros / cheapestBest, 3)}; by CPU µs/req ${fmt(sampled.cpuAdded / cheapestCpu, 3)}   target ≤ ${TARGETS.sampled}`,
      );
    }
    const unsampled = row('xray-unsampled');
    if (unsampled !== undefined) {
      check(
        unsampled.paired.ratio >= TARGETS.unsampled,
        `${framework} unsampled`,
        `${fmt(unsampled.paired.ratio, 3)} = traced ÷ neighbouring bare req/s, median of ${unsampled.rounds.length} (added ${fmt(unsampled.paired.addedMicros, 1)} µs/req); ` +
          `best rounds ${fmt(unsampled.ratio, 3)} = ${fmt(unsampled.best.rps)} ÷ ${fmt(unsampled.best.rps / unsampled.ratio)}; by CPU µs/req ${fmt((unsampled.cpu - unsampled.cpuAdded) / unsampled.cpu, 3)}   target ≥ ${TARGETS.unsampled}`,
      );
    }
    if (sampled !== undefined) {
      check(
        Math.abs(sampled.spansPerRequest - 1) <= TARGETS.delivery,
        `${framework} delivery`,
        `${fmt(sampled.spansPerRequest, 3)} spans delivered per sampled request   target 1.00 ± ${TARGETS.delivery}`,
      );
    }
  }
  if (cold !== undefined) {
    for (const [kind, what] of [['express', 'express + otel-xray, startTracing(), xrayTracing()'], ['lambda', 'a handler wrapped in xrayLambda']]) {
      const { added, sdkAdded, ratio } = coldStartAdded(cold.best, kind);
      // A non-positive addition for aws-xray-sdk is noise (a busy machine), not a measurement.
      check(
        sdkAdded > 0 && ratio <= TARGETS.coldStart,
        `cold start ${kind}`,
        `${sdkAdded > 0 ? fmt(ratio, 2) : 'unmeasured (aws-xray-sdk added nothing above noise)'} = ${what} adds ${fmt(added)} ${cold.unit} ÷ aws-xray-sdk's ${fmt(sdkAdded)} ${cold.unit} (best of ${cold.runs})   target ≤ ${TARGETS.coldStart}`,
      );
    }
  }
  return lines.join('\n');
}
