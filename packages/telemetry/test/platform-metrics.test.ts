import { describe, expect, it } from '@jest/globals';
import { metricsText, observeConsumerLag, observeSagas } from '../src/index.js';

describe('scrape-time platform gauges', () => {
  it('reports consumer lag from its sources at each scrape, and nothing from a failing one', async () => {
    const stop = observeConsumerLag(() =>
      Promise.resolve([{ group: 'order-saga', topic: 'orders.events', partition: 3, lag: 7 }]),
    );
    const failing = observeConsumerLag(() => Promise.reject(new Error('broker away')));
    expect(await metricsText()).toContain(
      'orderflow_consumer_lag{group="order-saga",topic="orders.events",partition="3"} 7',
    );
    stop();
    failing();
    expect(await metricsText()).not.toContain('orderflow_consumer_lag{');
  });

  it('reports sagas by status, parked sagas and step timeouts from one read per scrape', async () => {
    let reads = 0;
    const stop = observeSagas(() => {
      reads += 1;
      return Promise.resolve({
        byStatus: { COMPLETED: 5, FAILED_NEEDS_ATTENTION: 2 },
        parked: 2,
        stepTimeoutsByStep: { PAYMENT: 1 },
      });
    });
    const text = await metricsText();
    expect(text).toContain('orderflow_sagas{status="COMPLETED"} 5');
    expect(text).toContain('orderflow_sagas_parked 2');
    expect(text).toContain('orderflow_saga_step_timeouts{step="PAYMENT"} 1');
    expect(reads).toBe(1);
    stop();
  });
});
