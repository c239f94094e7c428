import { readFileSync } from 'node:fs';

// package.json sits one level above both src/ (tests) and dist/ (the build), so one path serves both.
export function readVersion(): string {
  const raw = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}
