// The Ingress and the HTTPRoute route the visitor paths and nothing else: every path of the API document
// (src/openapi.ts, which every answer the suites receive is checked against) is either a visitor path, routed
// by both, or one for operators (the probes, /version), routed by neither.
import { expect } from 'chai';
import { OPENAPI_DOCUMENT } from '../../src/openapi.js';
import { renderChart } from '../support/chart.js';
import { oneOf } from '../support/kube-typed.js';

/** Paths for the cluster and its operators only: /readyz names why it is not ready, /version the build. */
const OPERATOR_PATHS = ['/healthz', '/readyz', '/version'];

interface Rule {
  type: 'Exact' | 'Prefix';
  path: string;
}

/** Kubernetes' matching: Exact is the whole path; Prefix matches whole path segments (/api: /api and /api/x, not /apix). */
function matches(rules: readonly Rule[], path: string): boolean {
  return rules.some((rule) => (rule.type === 'Exact' ? path === rule.path : path === rule.path || path.startsWith(`${rule.path.replace(/\/$/, '')}/`)));
}

/** A concrete request path for each path of the document: its template filled in. */
const documentPaths = Object.keys(OPENAPI_DOCUMENT.paths).map((template) => template.replace('{page}', 'some/page'));

async function routeRules(): Promise<{ ingress: Rule[][]; httpRoute: Rule[] }> {
  const objects = await renderChart({
    sets: { 'ingress.enabled': 'true', 'httpRoute.enabled': 'true', 'httpRoute.parentRefs[0].name': 'gateway' },
    setStrings: { 'ingress.hosts[0].host': 'a.example', 'ingress.hosts[1].host': 'b.example' },
  });
  const ingress = (oneOf(objects, 'Ingress', 'page-tracker').spec?.rules ?? []).map((rule) =>
    (rule.http?.paths ?? []).map((p) => {
      expect(p.backend.service?.port?.name, `${p.path}: the visitors' port`).to.equal('http');
      return { type: p.pathType as Rule['type'], path: p.path ?? '' };
    }),
  );
  const matchesOfRoute = oneOf(objects, 'HTTPRoute', 'page-tracker').spec?.rules?.flatMap((rule) => rule.matches ?? []) ?? [];
  const httpRoute = matchesOfRoute.map((m) => ({ type: m.path?.type === 'PathPrefix' ? 'Prefix' : (m.path?.type as Rule['type']), path: m.path?.value ?? '' }));
  return { ingress, httpRoute };
}

describe('chart: the Ingress and the HTTPRoute route only the visitor paths', function () {
  it('finds the document\'s paths, operators\' included (the check reads what it should)', function () {
    expect(documentPaths).to.include.members(['/', '/api/views/some/page', '/badge/some/page.svg', ...OPERATOR_PATHS]);
  });

  it('routes every visitor path of the API document on every host, and the probes and /version on none', async function () {
    const { ingress, httpRoute } = await routeRules();
    expect(ingress).to.have.length(2);
    for (const [name, rules] of [...ingress.map((r, i) => [`Ingress host ${i}`, r] as const), ['HTTPRoute', httpRoute] as const]) {
      for (const path of documentPaths) expect(matches(rules, path), `${name}: ${path}`).to.equal(!OPERATOR_PATHS.includes(path));
      for (const path of ['/metrics', '/readyz/', '/apix', '/badgeX', '/pt.jsx', '/no/such/route']) expect(matches(rules, path), `${name}: ${path}`).to.equal(false);
    }
  });
});
