// The rule file's own unit tests (monitoring/rules.test.yaml) run here and nowhere else.
import { expect } from 'chai';
import { runPromtool } from '../support/promtool.js';
import { RULES_FILE, RULE_TESTS_FILE } from '../support/monitoring-files.js';

describe('the Prometheus rule file', () => {
  it('passes promtool check rules', async () => {
    const result = await runPromtool(['check', 'rules', RULES_FILE]);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
  });

  it('passes its promtool unit tests: each alert fires on synthetic trouble and stays quiet otherwise', async () => {
    const result = await runPromtool(['test', 'rules', RULE_TESTS_FILE]);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('SUCCESS');
  });
});
