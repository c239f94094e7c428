// `npm run test:heavy`: long and machine-heavy: resilience, real clients (Chromium, nginx), the image on a Docker engine.
module.exports = require('./suites.cjs').tier('heavy');
