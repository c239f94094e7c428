// House rules for the alerts: whoever gets paged needs a severity to route on, a readable summary, and a
// runbook that exists.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { RULES_FILE } from '../support/monitoring-files.js';

interface AlertRule {
  alert?: string;
  record?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

// The runbooks' page; an annotation names it relative to the repository root.
const RUNBOOKS = 'docs/operations.md';
const runbooksPage = readFileSync(fileURLToPath(new URL(`../../${RUNBOOKS}`, import.meta.url)), 'utf8');
const alerts = (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: AlertRule[] }[] }).groups
  .flatMap((group) => group.rules)
  .filter((rule) => rule.alert !== undefined);

/** GitHub's anchor for a Markdown heading. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
const runbookAnchors = new Set([...runbooksPage.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')));

describe('the alerting rules', () => {
  it('include the alerts the project promises', () => {
    expect(alerts.map((rule) => rule.alert)).to.include.members([
      'PageTrackerDown',
      'PageTrackerErrorRatioHigh',
      'PageTrackerLatencyP99High',
      'PageTrackerRedisUnavailable',
      'PageTrackerNotReady',
    ]);
  });

  for (const rule of alerts) {
    it(`${rule.alert}: has a for:, a severity, a summary, a description and a runbook in ${RUNBOOKS}`, () => {
      expect(rule.for, 'for').to.match(/^\d+[smh]$/);
      expect(rule.labels?.severity, 'severity').to.be.oneOf(['critical', 'warning']);
      expect(rule.annotations?.summary, 'summary').to.be.a('string').and.not.equal('');
      expect(rule.annotations?.description, 'description').to.be.a('string').and.not.equal('');
      const runbook = rule.annotations?.runbook?.startsWith(`${RUNBOOKS}#`) ? rule.annotations.runbook.slice(RUNBOOKS.length + 1) : null;
      expect(runbook, `runbook annotation ${RUNBOOKS}#anchor`).to.not.equal(null);
      expect(runbookAnchors.has(runbook ?? ''), `${RUNBOOKS} has a heading for #${runbook}`).to.equal(true);
    });
  }
});
