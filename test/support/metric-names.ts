// Which metric names a PromQL expression reads, and which ones a /metrics page offers.
import { parser } from '@prometheus-io/lezer-promql';

/** Series Prometheus writes itself for every target or rule: no exporter has them. */
export const PROMETHEUS_GENERATED = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
]);

/** Metric names in the vector selectors of a PromQL expression. Throws when the expression does not parse. */
export function metricNamesIn(expr: string): string[] {
  const tree = parser.parse(expr);
  const names: string[] = [];
  const errors: number[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`PromQL does not parse (at offset ${errors.join(', ')}): ${expr}`);
  return names;
}

const DERIVED_SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_count', '_sum'],
  summary: ['', '_count', '_sum'],
};

/**
 * Every series name a Prometheus text exposition offers. A histogram or labelled counter that has not been
 * observed yet has a TYPE line but no samples, so names come from TYPE lines (histograms as their _bucket,
 * _count and _sum series) as well as from samples.
 */
export function exposedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type?.[1] !== undefined && type[2] !== undefined) {
      for (const suffix of DERIVED_SUFFIXES[type[2]] ?? ['']) names.add(type[1] + suffix);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample?.[1] !== undefined) names.add(sample[1]);
  }
  return names;
}

/**
 * Metric names that `exprs` read but nobody provides: not exposed, not written by Prometheus itself, not
 * recorded by a rule (`recorded`). Sorted and unique, so a test can compare it with [].
 */
export function unknownMetricNames(exprs: string[], exposed: Set<string>, recorded: Set<string> = new Set()): string[] {
  const used = new Set(exprs.flatMap(metricNamesIn));
  return [...used].filter((name) => !exposed.has(name) && !recorded.has(name) && !PROMETHEUS_GENERATED.has(name)).sort();
}
