// The home page's chart of views per day: an inline SVG drawn on the server, so it needs no script (the page's
// CSP allows none) and no request of its own. Screen readers get a title and a description, and everyone gets
// the figures as text in a table beside it.
import { escapeHtml, plural } from './html.js';
import type { DayViews } from './store/view-store.js';

const BAR_WIDTH = 10;
const GAP = 2;
const HEIGHT = 60;

/** `days` in order, oldest first; `id` makes the title and description ids unique on the page. */
export function dayChart(days: readonly DayViews[], id: string): string {
  const peak = Math.max(0, ...days.map(({ views }) => views));
  const total = days.reduce((sum, { views }) => sum + views, 0);
  const first = days[0]?.day ?? '';
  const last = days[days.length - 1]?.day ?? '';
  const width = days.length * (BAR_WIDTH + GAP);
  const bars = days
    .map(({ day, views }, i) => {
      // A day with views is at least a pixel high, so it never looks like a day without.
      const height = views === 0 ? 0 : Math.max(1, Math.round((views / peak) * HEIGHT));
      return `<rect x="${i * (BAR_WIDTH + GAP)}" y="${HEIGHT - height}" width="${BAR_WIDTH}" height="${height}"><title>${day}: ${plural(views, 'view', 'views')}</title></rect>`;
    })
    .join('');
  const description = `${plural(total, 'view', 'views')} from ${first} to ${last} (UTC days), at most ${plural(peak, 'view', 'views')} on one day.`;
  const rows = days.map(({ day, views }) => `<tr><td>${day}</td><td class="n">${views}</td></tr>`).join('\n');
  return `<figure class="chart">
<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 -1 ${width} ${HEIGHT + 2}" width="${width}" height="${HEIGHT + 2}" aria-labelledby="${id}-title ${id}-desc">
<title id="${id}-title">Views per day over all pages, the last ${days.length} days</title>
<desc id="${id}-desc">${escapeHtml(description)}</desc>
<line x1="0" y1="${HEIGHT}" x2="${width}" y2="${HEIGHT}"/>${bars}
</svg>
<figcaption>${escapeHtml(description)}</figcaption>
</figure>
<details>
<summary>Views per day, as a table</summary>
<table>
<thead><tr><th scope="col">day (UTC)</th><th scope="col" class="n">views</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</details>`;
}
