// The smoke suite knows nothing of the code: only where the service answers.
function required(name: 'BASE_URL' | 'METRICS_URL'): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: the smoke suite needs BASE_URL and METRICS_URL (e.g. BASE_URL=http://127.0.0.1:8080 METRICS_URL=http://127.0.0.1:9100 npm run smoke), or run \`npm run test:smoke\` to start a local service`);
  }
  return value.replace(/\/+$/, '');
}

export const BASE_URL = required('BASE_URL');
export const METRICS_URL = required('METRICS_URL');

/** A page name no other run uses, so the suite can run against a shared deployment. */
export function uniquePage(label: string): string {
  return `smoke/${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
