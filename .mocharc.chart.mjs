// `npm run test:chart`: the root .mocharc.json with only the chart tests (mocha adds command-line specs
// to the configured ones, so narrowing needs its own config).
import base from './.mocharc.json' with { type: 'json' };

export default { ...base, spec: ['test/chart/**/*.test.ts'] };
