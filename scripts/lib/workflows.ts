// Reads the GitHub Actions workflows as data, for scripts/lint-workflows.ts and test/repo/workflows.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const workflowsDir = join(repoRoot, '.github', 'workflows');

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  /** 1-based line of the `run:` value in the workflow file, when there is one. */
  runLine?: number;
}
export interface Job {
  'runs-on'?: unknown;
  'timeout-minutes'?: number;
  needs?: string | string[];
  permissions?: unknown;
  environment?: string | { name: string; url?: string };
  strategy?: { matrix?: Record<string, unknown> & { include?: Record<string, unknown>[] } };
  defaults?: { run?: { shell?: string } };
  steps?: Step[];
}
export interface Workflow {
  /** Path relative to the repository root. */
  file: string;
  source: string;
  name?: string;
  permissions?: unknown;
  environment?: string | { name: string; url?: string };
  concurrency?: unknown;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

export function workflowFiles(): string[] {
  return readdirSync(workflowsDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join('.github', 'workflows', name));
}

export function loadWorkflow(file: string): Workflow {
  const source = readFileSync(join(repoRoot, file), 'utf8');
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter });
  if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
  const workflow = { ...(document.toJS() as Omit<Workflow, 'file' | 'source'>), file, source };
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    (job.steps ?? []).forEach((step, index) => {
      const node = document.getIn(['jobs', jobId, 'steps', index, 'run'], true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) step.runLine = lineCounter.linePos(node.range[0]).line;
    });
  }
  return workflow;
}

export function loadWorkflows(): Workflow[] {
  return workflowFiles().map(loadWorkflow);
}

/**
 * The steps of a local composite action (`uses: ./.github/actions/x`), each with the 1-based line of its
 * `run:` value in the action's file.
 */
export function compositeSteps(uses: string): { file: string; steps: Step[] } {
  const file = join(uses.replace(/^\.\//, ''), 'action.yml');
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(join(repoRoot, file), 'utf8'), { lineCounter });
  if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
  const steps = ((document.toJS() as { runs?: { steps?: Step[] } }).runs?.steps ?? []);
  steps.forEach((step, index) => {
    const node = document.getIn(['runs', 'steps', index, 'run'], true) as { range?: [number, number, number] } | undefined;
    if (node?.range !== undefined) step.runLine = lineCounter.linePos(node.range[0]).line;
  });
  return { file, steps };
}

/**
 * Every step of every job, with the file it is written in: a local composite action's steps follow the step
 * that uses it, as GitHub runs them.
 */
export function* allSteps(workflows: Workflow[]): Generator<{ workflow: Workflow; jobId: string; job: Job; step: Step; file: string }> {
  for (const workflow of workflows) {
    for (const [jobId, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        yield { workflow, jobId, job, step, file: workflow.file };
        if (step.uses?.startsWith('./') !== true) continue;
        const action = compositeSteps(step.uses);
        for (const inner of action.steps) yield { workflow, jobId, job, step: inner, file: action.file };
      }
    }
  }
}

/** Script names of every `npm run X`, `npm --prefix DIR run X`, `npm test` and `npm start` in a shell text. */
export function npmRunsIn(shell: string): string[] {
  const found = shell.matchAll(/\bnpm\s+(?:--prefix\s+\S+\s+)?(?:run(?:-script)?\s+(?:--silent\s+)?([\w:.-]+)|(test|start)\b)/g);
  return [...found].map((m) => m[1] ?? m[2] ?? '');
}
