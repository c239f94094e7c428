// Finds CEL functions in CustomResourceDefinition validation rules that an older Kubernetes API server does not
// know. Such a server refuses the whole CRD ("undeclared reference to 'isIP'"), so a chart that ships it cannot
// be installed there. Used by scripts/check-crd-cel.ts (the e2e runs it on the charts it installs) and tested
// by test/repo/crd-cel.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface CelLibrary {
  name: string;
  /** x of the first Kubernetes 1.x whose API server accepts these functions in a new CRD. */
  acceptedFromMinor: number;
  /** Patterns that only a call into this library matches (string literals are removed first). */
  patterns: readonly RegExp[];
}

// From k8s.io/apiserver pkg/cel/environment/base.go (v0.35), where each library has an IntroducedVersion. A
// CRD being created or updated is compiled against the "compatibility version" environment, which is one minor
// behind the server (so a rollback can still read it): a library introduced in 1.N is accepted from 1.N+1.
// Kubernetes 1.25 (k8s.io/apiextensions-apiserver v0.25, pkg/apiserver/schema/cel/library) already had the
// lists, regex (find, findAll), URL (url, isURL, getHost, ...) and strings v0 (charAt, lowerAscii, replace,
// split, substring, trim, join, ...) libraries, so they are not listed.
export const celLibraries: readonly CelLibrary[] = [
  {
    name: 'optional types (?., optional.of, orValue)',
    acceptedFromMinor: 29,
    patterns: [/\?\./, /\[\?/, /\boptional\.(of|none|ofNonZeroValue)\s*\(/, /\.(orValue|hasValue)\s*\(/],
  },
  {
    name: 'Kubernetes quantity library',
    acceptedFromMinor: 29,
    patterns: [/\b(quantity|isQuantity)\s*\(/, /\.(isInteger|asInteger|asApproximateFloat|isLessThan|isGreaterThan|compareTo)\s*\(/],
  },
  { name: 'cel-go strings v1/v2 (format, strings.quote)', acceptedFromMinor: 30, patterns: [/\.format\s*\(/, /\bstrings\.quote\s*\(/] },
  { name: 'cel-go sets', acceptedFromMinor: 30, patterns: [/\bsets\.(contains|equivalent|intersects)\s*\(/] },
  {
    name: 'Kubernetes IP and CIDR libraries',
    acceptedFromMinor: 31,
    patterns: [
      /\b(ip|isIP|cidr|isCIDR)\s*\(/,
      /\bip\.isCanonical\s*\(/,
      /\.(family|isUnspecified|isLoopback|isLinkLocalMulticast|isLinkLocalUnicast|isGlobalUnicast|containsIP|containsCIDR|prefixLength|masked)\s*\(/,
    ],
  },
  { name: 'Kubernetes format library (format.dns1123Label() ...)', acceptedFromMinor: 32, patterns: [/\bformat\.[a-zA-Z0-9]+\s*\(/] },
  {
    name: 'cel-go two-variable comprehensions',
    acceptedFromMinor: 33,
    patterns: [/\.(transformList|transformMap|transformMapEntry)\s*\(/, /\.(all|exists|existsOne)\s*\(\s*\w+\s*,\s*\w+\s*,/],
  },
  { name: 'Kubernetes semver library', acceptedFromMinor: 34, patterns: [/\b(semver|isSemver)\s*\(/, /\.(major|minor|patch)\s*\(\s*\)/] },
  {
    name: 'cel-go lists v3 (slice, flatten, distinct, sortBy, lists.range)',
    acceptedFromMinor: 35,
    patterns: [/\blists\.range\s*\(/, /\.(slice|flatten|distinct|reverse|sort|sortBy|first|last)\s*\(/],
  },
];

export interface CelFinding {
  file: string;
  crd: string;
  rule: string;
  library: string;
  acceptedFromMinor: number;
}

/** The rule with its string literals blanked, so a quoted 'ip(' or '?.' in a message or value never matches. */
function withoutStringLiterals(rule: string): string {
  return rule.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
}

/** Every CEL expression (rule, messageExpression) under any x-kubernetes-validations in a parsed value. */
function celExpressions(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) celExpressions(item, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'x-kubernetes-validations' && Array.isArray(child)) {
        for (const validation of child as Array<Record<string, unknown>>) {
          for (const field of ['rule', 'messageExpression']) {
            if (typeof validation[field] === 'string') out.push(validation[field]);
          }
        }
      }
      celExpressions(child, out);
    }
  }
  return out;
}

/** Counts of what was scanned, so a caller can tell "clean" from "found nothing to scan". */
export interface CelScan {
  crds: number;
  rules: number;
  findings: CelFinding[];
}

/** Scans one YAML text (any number of documents; only CustomResourceDefinitions are read). */
export function scanCrdText(text: string, file: string, serverMinor: number): CelScan {
  const scan: CelScan = { crds: 0, rules: 0, findings: [] };
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (value?.kind !== 'CustomResourceDefinition') continue;
    scan.crds += 1;
    for (const rule of celExpressions(value)) {
      scan.rules += 1;
      const code = withoutStringLiterals(rule);
      for (const library of celLibraries) {
        if (library.acceptedFromMinor > serverMinor && library.patterns.some((p) => p.test(code))) {
          scan.findings.push({ file, crd: value.metadata?.name ?? '?', rule, library: library.name, acceptedFromMinor: library.acceptedFromMinor });
        }
      }
    }
  }
  return scan;
}

/** Every *.yaml / *.yml under the given files or directories (recursively), scanned and summed. */
export function scanCrdPaths(paths: readonly string[], serverMinor: number): CelScan {
  const total: CelScan = { crds: 0, rules: 0, findings: [] };
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else if (/\.ya?ml$/.test(path)) {
      const scan = scanCrdText(readFileSync(path, 'utf8'), path, serverMinor);
      total.crds += scan.crds;
      total.rules += scan.rules;
      total.findings.push(...scan.findings);
    }
  };
  for (const path of paths) visit(path);
  return total;
}

/** "1.25", "v1.25.3" -> 25. */
export function kubernetesMinor(version: string): number {
  const match = /^v?1\.(\d+)/.exec(version);
  if (match?.[1] === undefined) throw new Error(`not a Kubernetes 1.x version: ${version}`);
  return Number(match[1]);
}
