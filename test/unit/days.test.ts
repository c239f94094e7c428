import { expect } from 'chai';
import { addDays, DAY_MS, dayKeyLifetimeMs, dayOf, daysFrom, parseDay, requestedRange } from '../../src/days.js';
import { InvalidQueryError } from '../../src/errors.js';

describe('UTC days (src/days.ts)', () => {
  it('a day is the UTC date of the instant, whatever the local zone', () => {
    expect(dayOf(Date.parse('2026-03-01T23:59:59.999Z'))).to.equal('2026-03-01');
    expect(dayOf(Date.parse('2026-03-02T00:00:00.000Z'))).to.equal('2026-03-02');
    expect(dayOf(Date.parse('2026-03-02T00:30:00+01:00')), 'still 1 March in UTC').to.equal('2026-03-01');
  });

  it('counts days across month ends and leap days', () => {
    expect(addDays('2024-02-28', 1)).to.equal('2024-02-29');
    expect(addDays('2026-02-28', 1)).to.equal('2026-03-01');
    expect(addDays('2026-01-01', -1)).to.equal('2025-12-31');
    expect(daysFrom('2024-02-27', '2024-03-01')).to.deep.equal(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it("a day's keys live until the end of the day plus the retention, whenever in the day they are created", () => {
    expect(dayKeyLifetimeMs(Date.parse('2026-03-01T00:00:00Z'), 400)).to.equal(401 * DAY_MS);
    expect(dayKeyLifetimeMs(Date.parse('2026-03-01T18:00:00Z'), 400)).to.equal(400 * DAY_MS + 6 * 3600_000);
    expect(dayKeyLifetimeMs(Date.parse('2026-03-01T23:59:59.700Z'), 0)).to.equal(300);
  });

  it('parses calendar days only, naming the parameter otherwise', () => {
    expect(parseDay('2024-02-29', 'from')).to.equal('2024-02-29');
    for (const bad of ['2026-02-29', '2026-02-30', '2026-04-31', '2026-00-10', '2026-1-01', '20260101', '2026-01-01T00:00:00Z', ' 2026-01-01', '', ['2026-01-01']]) {
      expect(() => parseDay(bad, 'to'), JSON.stringify(bad)).to.throw(InvalidQueryError, /^to must be a calendar day/);
    }
  });

  it('neither end: no range (all time); one end: the other defaults; longer than allowed: refused naming `to`', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(requestedRange({}, now, 31)).to.equal(undefined);
    expect(requestedRange({ from: '2026-03-01' }, now, 31)).to.deep.equal({ from: '2026-03-01', to: '2026-03-10' });
    expect(requestedRange({ to: '2026-03-10' }, now, 31)).to.deep.equal({ from: '2026-02-09', to: '2026-03-10' });
    expect(requestedRange({ from: '2026-02-08', to: '2026-03-10' }, now, 31)).to.deep.equal({ from: '2026-02-08', to: '2026-03-10' });
    expect(() => requestedRange({ from: '2026-02-07', to: '2026-03-10' }, now, 31)).to.throw(InvalidQueryError, 'covers 32 days; at most 31').with.deep.property('details', { parameter: 'to' });
    expect(() => requestedRange({ from: '2026-03-11', to: '2026-03-10' }, now, 31)).to.throw(InvalidQueryError, 'is after to').with.deep.property('details', { parameter: 'from' });
  });
});
