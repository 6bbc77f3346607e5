/**
 * Digests in Node (the server's timer and `npm run notify`): the feeds' change list of the content
 * this process loaded is copied into the database once (as `npm run search:index` does), then due
 * digests are queued in the outbox at every run. The Worker, which has no content, queues them from
 * what the last index run (`npm run deploy`) copied. Staff's deadline reminders (functions/reminders.ts)
 * are queued by the same job, after the digests.
 */
import { getPortal } from '../../src/content/portal.ts';
import { listChanges } from '../../src/site/changes.ts';
import { queueReminders } from '../reminders.ts';
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

/** What the periodic job queued before sending: subscription digests and deadline reminders. */
export interface QueuedMail {
  digests: number;
  /** Subscriptions due with nothing new. */
  unchanged: number;
  reminders: number;
}

/** The periodic job's queueing in Node: due digests, then due deadline reminders. */
export function queueJob(deps: SubscriptionDeps): (now: Date) => Promise<QueuedMail> {
  const digests = digestJob(deps);
  return async (now) => {
    const d = await digests(now);
    return { digests: d.queued, unchanged: d.unchanged, reminders: (await queueReminders(deps, now)).queued };
  };
}
