// The dashboard is edited in Grafana and exported again; these are the things such an export tends to break.
import { expect } from 'chai';
import { readDashboard } from '../support/monitoring-files.js';

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: { type?: string; uid?: string };
  targets?: { datasource?: { uid?: string } }[];
  panels?: Panel[];
}

const dashboard = readDashboard() as unknown as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; datasource?: { uid?: string } }[] };
};
const allPanels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const dataPanels = allPanels.filter((panel) => panel.type !== 'row');

const overlaps = (a: GridPos, b: GridPos): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('the Grafana dashboard', () => {
  it('has a fixed uid, so the ConfigMap replaces it instead of adding a copy', () => {
    expect(dashboard.uid).to.equal('page-tracker');
  });

  it('takes its Prometheus data source from the ${datasource} variable everywhere', () => {
    expect(dashboard.templating.list.find((variable) => variable.name === 'datasource')).to.include({ type: 'datasource', query: 'prometheus' });
    const hardCoded: string[] = dataPanels.flatMap((panel) =>
      [panel.datasource, ...(panel.targets ?? []).map((target) => target.datasource)]
        .filter((datasource) => datasource?.uid !== '${datasource}')
        .map(() => panel.title),
    );
    const queryVariables = dashboard.templating.list.filter((variable) => variable.type === 'query');
    expect(queryVariables).to.not.deep.equal([]);
    hardCoded.push(...queryVariables.filter((variable) => variable.datasource?.uid !== '${datasource}').map((variable) => `$${variable.name}`));
    expect(hardCoded).to.deep.equal([]);
  });

  it('has unique panel ids and no panels on top of each other', () => {
    const ids = allPanels.map((panel) => panel.id);
    expect(new Set(ids).size).to.equal(ids.length);
    const clashes: string[] = [];
    allPanels.forEach((a, i) =>
      allPanels.slice(i + 1).forEach((b) => {
        if (overlaps(a.gridPos, b.gridPos)) clashes.push(`${a.title} / ${b.title}`);
      }),
    );
    expect(clashes).to.deep.equal([]);
    expect(allPanels.every((panel) => panel.gridPos.x + panel.gridPos.w <= 24)).to.equal(true);
  });
});
