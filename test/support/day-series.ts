// The `days` a range answer carries, written as the days that have views: every UTC day from `from` to `to`
// is listed, the others with 0. Worked out here with plain Date arithmetic, not with src/days.ts, which it checks.
export function daySeries(from: string, to: string, views: Record<string, number> = {}): { day: string; views: number }[] {
  const series: { day: string; views: number }[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += 24 * 60 * 60 * 1000) {
    const day = new Date(at).toISOString().slice(0, 10);
    series.push({ day, views: views[day] ?? 0 });
  }
  const unlisted = Object.keys(views).filter((day) => !series.some((entry) => entry.day === day));
  if (unlisted.length > 0) throw new Error(`daySeries(${from}, ${to}): ${unlisted.join(', ')} is outside the range`);
  return series;
}
