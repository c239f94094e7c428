// Lints every workflow with actionlint (rhysd/actionlint at ACTIONLINT_VERSION of versions.env, built once
// from its Go module into the cache outside the tree) and passes every bash `run:` block (the local composite actions' too)
// through shellcheck the way actionlint itself would, with findings mapped back to the workflow's lines. Prints findings as file:line:column and
// exits 1 if there is any. Run by scripts/lint-ci.sh.
// The native build, not the npm WebAssembly one: that build lagged behind GitHub (it refused the
// `attestations` permission that keyless signing in release.yml needs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allSteps, loadWorkflows, repoRoot } from './lib/workflows.js';
import { pin } from './lib/pinned-versions.js';

const findings: string[] = [];
const workflows = loadWorkflows();

// Built once into the cache outside the tree (scripts/go-tool.sh prints its path).
const tool = spawnSync(join(repoRoot, 'scripts', 'go-tool.sh'), ['github.com/rhysd/actionlint/cmd/actionlint', pin('ACTIONLINT_VERSION')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (tool.status !== 0) process.exit(1);
const actionlintPath = tool.stdout.trim();
// Its own shellcheck and pyflakes passes are off: the shellcheck pass below covers the run blocks.
const linted = spawnSync(actionlintPath, ['-format', '{{json .}}', '-shellcheck=', '-pyflakes=', ...workflows.map((w) => join(repoRoot, w.file))], { encoding: 'utf8', cwd: repoRoot });
if (linted.status !== 0 && linted.status !== 1) {
  console.error(`actionlint failed (exit ${String(linted.status)}): ${linted.stderr}`);
  process.exit(1);
}
const results = JSON.parse(linted.stdout === '' ? '[]' : linted.stdout) as { filepath: string; line: number; column: number; message: string; kind: string }[];
for (const result of results) {
  findings.push(`${result.filepath}:${result.line}:${result.column}: ${result.message} [actionlint ${result.kind}]`);
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
