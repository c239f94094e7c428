// The monitoring files the chart ships, read the way Prometheus and Grafana read them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const RULES_FILE = fileURLToPath(new URL('../../charts/page-tracker/files/prometheus-rules.yaml', import.meta.url));
export const DASHBOARD_FILE = fileURLToPath(new URL('../../charts/page-tracker/files/grafana-dashboard.json', import.meta.url));
export const RULE_TESTS_FILE = fileURLToPath(new URL('../../monitoring/rules.test.yaml', import.meta.url));

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export function readRuleGroups(): RuleGroup[] {
  const file = parse(readFileSync(RULES_FILE, 'utf8')) as { groups?: RuleGroup[] };
  if (!Array.isArray(file.groups)) throw new Error(`${RULES_FILE} has no groups`);
  return file.groups;
}

/** A PromQL query in the dashboard, still with Grafana's $variables in it. */
export interface DashboardQuery {
  /** "panel <title>" or "variable <name>", for messages. */
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

interface Dashboard {
  panels?: Panel[];
  templating?: { list?: { name: string; type: string; query?: string | { query?: string } }[] };
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

export function dashboardQueries(dashboard: Dashboard = readDashboard()): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (panels: Panel[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined) queries.push({ where: `panel "${panel.title ?? '?'}"`, expr: target.expr });
      }
      visit(panel.panels); // collapsed rows keep their panels inside
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (query !== undefined) queries.push({ where: `variable "${variable.name}"`, expr: variableQueryToPromQL(query) });
  }
  return queries;
}

/** Grafana's label_values(selector, label) is not PromQL: the selector inside it is. */
function variableQueryToPromQL(query: string): string {
  const labelValues = /^\s*label_values\(\s*(.+)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/s.exec(query);
  if (labelValues?.[1] !== undefined) return labelValues[1];
  throw new Error(`unsupported Grafana variable query (extend variableQueryToPromQL): ${query}`);
}

/**
 * Replaces Grafana's variables so Prometheus can run the query: interval variables by `interval`, the others
 * by `values[name]`. An unknown variable throws, so a new one cannot slip through untested.
 */
export function substituteGrafanaVariables(expr: string, interval: string, values: Record<string, string>): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (_match, name: string) => {
    if (name === '__rate_interval' || name === '__interval' || name === '__range') return interval;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for Grafana variable $${name} in ${expr}`);
    return value;
  });
}
