/**
 * The complaint form with JavaScript: validates in place with the server's own
 * schema (src/domain/complaint.ts) and fills the same error slots the server
 * renders, then submits with fetch, retrying on a dropped connection with the
 * same form key (the server answers a retry with the first receipt). Without
 * this script the form works as a plain POST.
 */
import './zod-jitless.ts';
import { complaintFromForm, complaintInput, fieldErrors, FORM_FIELDS } from '../domain/complaint.ts';
import { configureZodLocale } from '../model/zod-locale.ts';

// The messages shown beside the fields are the server's, in Chinese: zod's own ones too.
configureZodLocale();

const form = document.querySelector<HTMLFormElement>('form[data-complaint-form]');
if (form) enhance(form);

function enhance(form: HTMLFormElement) {
  const summary = document.querySelector<HTMLElement>('[data-error-summary]')!;
  const status = form.querySelector<HTMLElement>('[data-submit-status]')!;
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  const regions = [...form.querySelectorAll<HTMLOptionElement>('select[name="region"] option')].map((o) => o.value).filter(Boolean);
  const today = form.querySelector<HTMLInputElement>('input[name="observedAt"]')!.max;
  const schema = complaintInput(regions, today);

  const read = () => {
    const data = new FormData(form);
    const get = (n: string) => {
      const v = data.get(n);
      return typeof v === 'string' ? v : undefined;
    };
    return complaintFromForm(get, (n) => data.getAll(n).filter((v): v is string => typeof v === 'string'));
  };

  const validate = (): Record<string, string> => {
    const result = schema.safeParse(read());
    return result.success ? {} : fieldErrors(result.error);
  };

  /** Puts messages beside the fields and in the summary, exactly as the server would. */
  const show = (errors: Record<string, string>, focusSummary: boolean) => {
    for (const slot of form.querySelectorAll<HTMLElement>('[data-error-for]')) {
      const field = slot.dataset.errorFor!;
      const message = errors[field];
      slot.hidden = !message;
      slot.textContent = '';
      if (message) {
        const hidden = document.createElement('span');
        hidden.className = 'visually-hidden';
        hidden.textContent = '错误：';
        slot.append(hidden, message);
      }
      slot.closest('.form-group, fieldset')?.classList.toggle('has-error', !!message || hasOtherError(slot, errors));
    }
    const list = summary.querySelector('ul')!;
    list.replaceChildren(
      ...FORM_FIELDS.filter((f) => errors[f]).map((f) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = `#f-${f}`;
        a.textContent = errors[f]!;
        li.append(a);
        return li;
      }),
    );
    summary.hidden = list.children.length === 0;
    document.title = (summary.hidden ? '' : '错误：') + document.title.replace(/^错误：/, '');
    if (!summary.hidden && focusSummary) summary.focus();
  };

  // The error summary's links move focus to the field itself, not just scroll to it.
  summary.addEventListener('click', (event) => {
    const link = (event.target as HTMLElement).closest('a');
    if (!link) return;
    const target = document.getElementById(link.hash.slice(1));
    const control = target?.matches('input, select, textarea') ? target : target?.querySelector<HTMLElement>('input, select, textarea');
    if (control) {
      event.preventDefault();
      control.focus();
      control.scrollIntoView({ block: 'center' });
    }
  });

  // Errors are checked again on the next submit, not as the reporter types:
  // messages appearing and vanishing under the pointer move the fields
  // being clicked (GOV.UK's advice is the same).

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const errors = validate();
    show(errors, true);
    if (Object.keys(errors).length) return;
    button.disabled = true;
    status.textContent = '正在提交……';
    try {
      const response = await postWithRetry(form, (attempt) => {
        status.textContent = `网络不稳定，正在第 ${attempt} 次重试……`;
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok && typeof body.trackUrl === 'string') {
        status.textContent = '已提交，正在打开回执……';
        window.location.assign(`${body.trackUrl}?new=1`);
        return;
      }
      const error = body.error ?? {};
      if (error.fields) show(error.fields, true);
      status.textContent = error.message ?? `提交失败（HTTP ${response.status}），请稍后再试。`;
    } catch {
      // The network is gone: let the browser submit the form itself; the same key keeps it from being stored twice.
      status.textContent = '网络连接失败，正在以普通方式提交……';
      form.submit();
      return;
    }
    button.disabled = false;
  });
}

function hasOtherError(slot: HTMLElement, errors: Record<string, string>) {
  const group = slot.closest('.form-group, fieldset');
  return [...(group?.querySelectorAll<HTMLElement>('[data-error-for]') ?? [])].some((s) => s !== slot && errors[s.dataset.errorFor!]);
}

/** POSTs the form (photos included), retrying network failures with backoff; HTTP answers are returned as they are. */
async function postWithRetry(form: HTMLFormElement, onRetry: (attempt: number) => void): Promise<Response> {
  const body = new FormData(form);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(form.action, { method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    } catch (error) {
      if (attempt >= 3) throw error;
      onRetry(attempt + 1);
      await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
    }
  }
}
