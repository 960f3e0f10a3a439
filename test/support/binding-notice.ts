import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ClusterBus } from '../../src/platform/cluster/cluster-bus';
import { RELOAD_RESULT_TOPIC, type ReloadResult, reloadTopic } from '../../src/platform/cluster/reload-protocol';

/**
 * What the organisation commands (`org suspend`, `bind-cert`, …) do after a change a test made in the database
 * itself: the `bindings.reload` notice, and the node's answer that it dropped the bindings it had cached.
 */
export async function announceBindingChange(app: INestApplication): Promise<ReloadResult> {
  const bus = app.get(ClusterBus);
  const request = randomUUID();
  const answered = new Promise<ReloadResult>((resolve) => {
    const stop = bus.subscribe(RELOAD_RESULT_TOPIC, (payload) => {
      const result = payload as ReloadResult;
      if (result.request !== request) return;
      stop();
      resolve(result);
    });
  });
  await bus.publish(reloadTopic('bindings'), { request });
  return answered;
}
