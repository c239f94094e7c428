// `npm run test:service`: the built service (dist/) against real redis-server and Prometheus processes: integration, smoke, prometheus.
module.exports = require('./suites.cjs').tier('service');
