import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { FoldedWarnings } from '../../src/folded-warnings.js';
import { memoryLogger } from '../support/silent-logger.js';

describe('folded warnings', () => {
  const windowMs = 100;

  it('logs the first of a kind at once, then one line per window with the count of the repeats', async () => {
    const { logger, lines } = memoryLogger();
    const warnings = new FoldedWarnings(logger, windowMs);
    for (let i = 0; i < 50; i += 1) warnings.warn('store unavailable', { err: 'connect ECONNREFUSED' }, { reqId: `r${i}` });
    expect(lines()).to.have.length(1);
    expect(lines()[0]).to.deep.include({ msg: 'store unavailable', err: 'connect ECONNREFUSED', reqId: 'r0' });

    await sleep(windowMs * 1.5);
    expect(lines()).to.have.length(2);
    expect(lines()[1]).to.deep.include({ err: 'connect ECONNREFUSED', suppressed: 49, msg: 'store unavailable (49 more like it in the last 0.1 s)' });
    expect(lines()[1]).to.not.have.property('reqId');

    // A window without repeats ends the fold: nothing more is logged, and the next one is logged at once.
    await sleep(windowMs * 1.5);
    expect(lines()).to.have.length(2);
    warnings.warn('store unavailable', { err: 'connect ECONNREFUSED' }, { reqId: 'later' });
    expect(lines()).to.have.length(3);
    expect(lines()[2]).to.deep.include({ reqId: 'later' });
  });

  it('keeps kinds apart: another message or another cause is logged at once', () => {
    const { logger, lines } = memoryLogger();
    const warnings = new FoldedWarnings(logger, windowMs);
    warnings.warn('store unavailable', { err: 'connect ECONNREFUSED' });
    warnings.warn('store unavailable', { err: 'no answer from Redis within 1000 ms' });
    warnings.warn('redis connection error', { err: 'connect ECONNREFUSED' });
    warnings.warn('store unavailable', { err: 'connect ECONNREFUSED' });
    expect(lines().map((line) => `${String(line.msg)}: ${String(line.err)}`)).to.deep.equal([
      'store unavailable: connect ECONNREFUSED',
      'store unavailable: no answer from Redis within 1000 ms',
      'redis connection error: connect ECONNREFUSED',
    ]);
  });
});
