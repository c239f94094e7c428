// `npm run test:fast`: unit, chart, k8s and repository tests: no service, no build.
module.exports = require('./suites.cjs').tier('fast');
