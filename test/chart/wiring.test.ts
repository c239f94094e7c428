// Cross-checks between rendered objects, for every ci values file (the checks: test/support/wiring-checks.ts).
import { wiringChecks } from '../support/wiring-checks.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

const externalSecrets = new Set(['managed-redis', 'page-tracker-redis-auth']); // named by ci values files

describe('chart: objects reference each other correctly', function () {
  for (const file of valuesFiles) {
    describe(`with ${shortName(file)}`, function () {
      wiringChecks(() => renderValuesFile(file), externalSecrets);
    });
  }
});
