/**
 * One set of colours for what is done, under way, gone wrong or not known: item statuses and
 * complaint states alike, in badges (the `s-<tone>` classes of site.css) and in charts (TONE_COLOURS,
 * the same values as site.css's --done, --info, --bad and --muted).
 */
import { isDone, type DisplayStatusId } from '../domain/status.ts';
import { isComplaintState, phaseOf } from '../domain/complaint-states.ts';

export type Tone = 'done' | 'progress' | 'bad' | 'none';

export const TONE_COLOURS: Record<Tone, string> = { done: '#00703c', progress: '#1d4ed8', bad: '#b3261e', none: '#505a5f' };

/** An item's status: done, not completed or behind schedule, under way; not disclosed is its own tone. */
export function itemTone(status: DisplayStatusId): Tone {
  if (status === 'undisclosed') return 'none';
  if (isDone(status)) return 'done';
  return status === 'not-completed' || status === 'behind-schedule' ? 'bad' : 'progress';
}

/**
 * A complaint's state: open ones are under way (a dispute is trouble), closed ones with a result are
 * done, and closed without one (不予受理, 重复举报) carry no colour of success or failure.
 */
export function complaintTone(state: string): Tone {
  if (state === 'disputed') return 'bad';
  if (!isComplaintState(state) || phaseOf(state) === 'open') return 'progress';
  return state === 'closed' ? 'done' : 'none';
}
