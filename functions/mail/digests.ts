/**
 * Digests in Node (the server's timer and `npm run notify`): the feeds' change list of the content
 * this process loaded is copied into the database once (as `npm run search:index` does), then due
 * digests are queued in the outbox at every run. The Worker, which has no content, queues them from
 * what the last index run (`npm run deploy`) copied.
 */
import { getPortal } from '../../src/content/portal.ts';
import { listChanges } from '../../src/site/changes.ts';
import { queueDigests, syncChanges, type DigestReport, type SubscriptionDeps } from '../subscription-service.ts';

export function digestJob(deps: SubscriptionDeps): (now: Date) => Promise<DigestReport> {
  let synced: Promise<unknown> | undefined;
  return async (now) => {
    synced ??= syncChanges(deps.db, listChanges(getPortal()), now).catch((error: unknown) => {
      synced = undefined;
      throw error;
    });
    await synced;
    return queueDigests(deps, now);
  };
}
