// The shared base of every mocha run: TypeScript through tsx, and a timeout that suites needing more raise
// (test/tiers/suites.cjs). Alone it names no files, so `npx mocha test/unit/page.test.ts` runs just that file;
// the tiers (`npm run test:fast`, ...) add their folders in test/tiers/. No forced exit: a run that does not end
// by itself has left a server, socket or timer open, and that is a bug to fix where it is.
module.exports = {
  'node-option': ['import=tsx'],
  extension: ['ts'],
  timeout: 20000,
};
