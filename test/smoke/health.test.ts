import { expect } from 'chai';
import { METRICS_URL, send, serviceOrNotRouted } from './target.js';

describe('smoke: health and metrics', () => {
  // Through an ingress the probes are not routed (the chart routes only the visitor paths): its own 404 is
  // the right answer there; the kubelet asks the pods directly.
  it('GET /healthz answers 200 (or, through an ingress, is not routed)', async () => {
    const response = await send(`/healthz`);
    if (!serviceOrNotRouted(response, '/healthz')) return;
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ok' });
  });

  it('GET /readyz answers 200 when the store is up (or, through an ingress, is not routed)', async () => {
    const response = await send(`/readyz`);
    if (!serviceOrNotRouted(response, '/readyz')) return;
    expect(response.status, await response.clone().text()).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ready' });
  });

  it('GET /metrics on the admin port serves the documented metrics in Prometheus text format', async () => {
    await send(`/healthz`);
    const response = await fetch(`${METRICS_URL}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      'http_request_duration_seconds_bucket',
      'http_requests_in_flight',
      'page_tracker_views_total',
      'page_tracker_store_up 1',
      'page_tracker_ready 1',
      'page_tracker_build_info{',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).to.include(name);
    }
    expect(text).to.include('route="/healthz"');
  });

  it('the visitor port does not serve /metrics', async () => {
    const response = await send(`/metrics`);
    expect(response.status).to.equal(404);
  });
});
