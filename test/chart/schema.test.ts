// Every object the chart renders, for every values file, against the Kubernetes (and CRD) API schemas.
import { expect } from 'chai';
import { validateKubeObject } from '../support/kube-schema.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

describe('chart: rendered objects match the API schemas', function () {
  for (const file of valuesFiles) {
    it(`validates every object rendered with ${shortName(file)}`, async function () {
      const objects = await renderValuesFile(file);
      expect(objects.map((o) => o.kind)).to.include('Deployment');
      for (const obj of objects) await validateKubeObject(obj);
    });
  }

  it('rejects an object that breaks its schema (the validator is live)', async function () {
    const [deployment] = (await renderValuesFile(valuesFiles[0]!)).filter((o) => o.kind === 'Deployment');
    const broken = structuredClone(deployment!);
    (broken.spec as { replicas: unknown }).replicas = 'two';
    let error: unknown;
    try {
      await validateKubeObject(broken);
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/Deployment\/page-tracker .*replicas must be integer/);
  });
});
