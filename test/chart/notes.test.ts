// NOTES.txt: `helm template` never renders it, so a broken NOTES would first show up at a real install.
import { expect } from 'chai';
import { renderNotes } from '../support/chart.js';
import { shortName, valuesFiles } from './matrix.js';

const expected: Readonly<Record<string, RegExp[]>> = {
  defaults: [/port-forward service\/page-tracker 8080:80/, /helm test page-tracker/, /get secret page-tracker-redis/],
  'ingress-tls': [/https:\/\/views\.example\.com\//, /https:\/\/www\.views\.example\.com\//, /routes only the visitor paths/],
  httproute: [/Gateway\(s\) shared-gateway/, /views\.example\.com/],
  'persistence-off': [/WARNING: redis.persistence.enabled is false/],
  'external-redis': [/external one at rediss:\/\/views\.abc123\.cache\.amazonaws\.com:6380/],
  'existing-secret': [/password in Secret page-tracker-redis-auth \(key password\)/],
};

describe('chart: NOTES.txt', function () {
  for (const file of valuesFiles) {
    it(`renders and says how to reach the app with ${shortName(file)}`, async function () {
      const notes = await renderNotes({ valuesFiles: [file] });
      expect(notes).to.match(/Reach the app:/);
      for (const line of expected[shortName(file)] ?? []) expect(notes).to.match(line);
    });
  }
});
