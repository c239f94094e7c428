import type { Next } from 'koa';
import type { AppContext, AppDeps } from '../context.js';

/** While the process drains for shutdown, each answer tells a keep-alive client to reconnect, reaching another pod. */
export function closeWhileDraining({ readiness }: AppDeps) {
  return async function closeConnection(ctx: AppContext, next: Next): Promise<void> {
    if (readiness.shuttingDown) ctx.set('Connection', 'close');
    await next();
  };
}
