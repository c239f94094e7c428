// names.env holds the names several tools must agree on (release, namespace, object, image and host names).
// A name is only defined once when every reader gets it from there: bash by sourcing the file, TypeScript
// through scripts/lib/shared-names.ts, and a YAML file that must carry it literally by a line marked
// `# names.env NAME`. This one test holds every such mark to the file, instead of one test per copy.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../../scripts/lib/workflows.js';
import { sharedNames, sharedNamesFile } from '../../scripts/lib/shared-names.js';

const names = sharedNames();
const trackedFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\n')
  .filter((path) => path !== '' && path !== sharedNamesFile && !/^(schemas\/|package-lock\.json$)/.test(path));
const textOf = (path: string): string => {
  try {
    return readFileSync(join(repoRoot, path), 'utf8');
  } catch {
    return ''; // deleted in the work tree but still in the index
  }
};
const yamlFiles = trackedFiles.filter((path) => /\.ya?ml$/.test(path));

const markPattern = /#\s*names\.env\s+([A-Z][A-Z0-9_]*)\s*$/;
// The scalar of a `key: value` or `- value` line, in plain, single or double quotes, before its comment.
const scalarPattern = /^\s*(?:-\s+)?(?:[^\s#'"][^#'"]*?:\s+)?(?:"([^"]*)"|'([^']*)'|([^\s#'"]+))\s+#/;

/** What is wrong with the marked lines of one YAML text: a mark naming no entry, or a value that is not the entry's. */
function markFindings(path: string, text: string): { findings: string[]; marks: number } {
  const findings: string[] = [];
  let marks = 0;
  text.split('\n').forEach((line, index) => {
    const mark = markPattern.exec(line);
    if (mark?.[1] === undefined) return;
    marks += 1;
    const where = `${path}:${index + 1}`;
    const expected = names.get(mark[1]);
    const scalar = scalarPattern.exec(line);
    const value = scalar?.[1] ?? scalar?.[2] ?? scalar?.[3];
    if (expected === undefined) findings.push(`${where} names ${mark[1]}, which ${sharedNamesFile} does not define`);
    else if (value === undefined) findings.push(`${where}: the mark for ${mark[1]} is on a line without a scalar value`);
    else if (value !== expected) findings.push(`${where} holds ${value}, but ${sharedNamesFile} has ${mark[1]}=${expected}`);
  });
  return { findings, marks };
}

describe(`shared names (${sharedNamesFile})`, function () {
  it('are plain KEY=value lines, read the same by bash (which sources the file) and by TypeScript', function () {
    expect(names.size).to.be.greaterThan(5);
    // No quotes, spaces or $: bash would give another value than the TypeScript reader, which does not expand.
    for (const [name, value] of names) expect(value, name).to.match(/^[a-z0-9][a-z0-9.:-]*$/);
    const script = `set -eu; source ${sharedNamesFile}; ${[...names.keys()].map((name) => `printf '%s\\n' "$${name}"`).join('; ')}`;
    const sourced = execFileSync('bash', ['-c', script], { cwd: repoRoot, encoding: 'utf8' }).trimEnd().split('\n');
    expect(sourced).to.deep.equal([...names.values()]);
  });

  it('are each read by a script, test file or marked YAML line', function () {
    const sources = trackedFiles.filter((path) => !path.startsWith('docs/') && path !== 'test/repo/shared-names.test.ts').map(textOf);
    const unread = [...names.keys()].filter((name) => !sources.some((source) => new RegExp(`\\b${name}\\b`).test(source)));
    expect(unread, 'entries nothing reads').to.deep.equal([]);
  });

  it('equal every YAML line marked `# names.env NAME` (kind values, skaffold.yaml, ...)', function () {
    const results = yamlFiles.map((path) => ({ path, ...markFindings(path, textOf(path)) }));
    expect(results.flatMap((r) => r.findings)).to.deep.equal([]);
    const marked = results.filter((r) => r.marks > 0).map((r) => r.path);
    expect(marked).to.include.members(['skaffold.yaml', 'test/e2e/kind-values.yaml']);
  });

  it('catch a marked line that drifted, or a mark that names no entry', function () {
    const host = names.get('E2E_INGRESS_HOST') ?? '';
    expect(markFindings('sample.yaml', `hosts:\n  - host: ${host} # names.env E2E_INGRESS_HOST\n`).findings).to.deep.equal([]);
    expect(markFindings('sample.yaml', `hosts:\n  - host: "${host}" # names.env E2E_INGRESS_HOST\n`).findings).to.deep.equal([]);
    expect(markFindings('sample.yaml', '  - host: old.e2e.test # names.env E2E_INGRESS_HOST\n').findings).to.deep.equal([
      `sample.yaml:1 holds old.e2e.test, but ${sharedNamesFile} has E2E_INGRESS_HOST=${host}`,
    ]);
    expect(markFindings('sample.yaml', `  - ${host} # names.env NO_SUCH_NAME\n`).findings).to.have.length(1);
    expect(markFindings('sample.yaml', 'hosts: # names.env E2E_INGRESS_HOST\n').findings).to.have.length(1);
  });

  it('leave no unmarked copy of a host name in another file', function () {
    // The release, object and image names equal or start with the chart's own name, which recurs in paths and
    // labels, so only the host names can be searched for as copies.
    const hosts = [...names].filter(([name]) => name.endsWith('_HOST'));
    expect(hosts).to.have.length.greaterThan(1);
    const copies: string[] = [];
    for (const path of trackedFiles) {
      textOf(path).split('\n').forEach((line, index) => {
        for (const [name, value] of hosts) {
          if (line.includes(value) && markPattern.exec(line)?.[1] !== name) copies.push(`${path}:${index + 1} holds ${name}=${value}`);
        }
      });
    }
    expect(copies).to.deep.equal([]);
  });
});
