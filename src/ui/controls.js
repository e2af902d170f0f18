import { useRef, useState } from 'preact/hooks';
import { control } from './api.js';
import { html } from './html.js';
import { controlsFor, destructiveActions } from './release-view.js';

const labels = {
  pause: 'Pause',
  resume: 'Resume',
  approve: 'Approve',
  promote: 'Promote',
  abort: 'Abort',
};
const consequences = {
  promote: 'Promote ends the current bake and moves to the next step now (from the last step, to 100%).',
  abort: 'Abort stops the release and rolls the alias back to the stable version.',
};

/**
 * Pause, resume, approve, promote and abort, each disabled with the reason shown when the token lacks the
 * scope or the state forbids it. Promote and abort ask for a confirmation. A refusal (the workflow
 * validator's 409) is shown exactly as the API words it.
 */
export function Controls({ status, me, onStatus }) {
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(undefined);
  const [outcome, setOutcome] = useState(undefined);
  const [confirming, setConfirming] = useState(undefined);
  const dialog = useRef(null);

  const run = async (action) => {
    setPending(action);
    setOutcome(undefined);
    try {
      const next = await control(status.releaseId, action, reason.trim() || undefined);
      setOutcome({ isError: false, text: `${labels[action]}: done.` });
      setReason('');
      onStatus(next);
    } catch (error) {
      setOutcome({ isError: true, text: error.message, status: error.status });
    } finally {
      setPending(undefined);
    }
  };
  const ask = (action) => {
    if (!destructiveActions.has(action)) return run(action);
    setConfirming(action);
    dialog.current?.showModal();
  };
  const answer = (isConfirmed) => {
    const action = confirming;
    dialog.current?.close();
    setConfirming(undefined);
    if (isConfirmed && action) run(action);
  };

  const controls = controlsFor(status, me);
  // One reason for all (an ended release, a read-only token) is said once, not five times.
  const reasons = new Set(controls.map((c) => c.reason));
  const sharedReason = reasons.size === 1 ? controls[0]?.reason : undefined;

  return html`<section class="panel controls" aria-labelledby="controls-title">
    <h2 id="controls-title">Controls</h2>
    <label class="reason">Reason <span class="muted">(recorded in the timeline and the audit log)</span>
      <input name="reason" type="text" maxlength="500" value=${reason}
        onInput=${(e) => setReason(e.currentTarget.value)} placeholder="e.g. error budget looks fine" />
    </label>
    ${sharedReason ? html`<p class="why-all">Controls are off: ${sharedReason}</p>` : null}
    <ul class="control-list">
      ${controls.map(
        ({ action, isEnabled, reason: why }) => html`<li key=${action}>
          <button type="button" class=${`control ${action}`} data-action=${action}
            disabled=${!isEnabled || pending !== undefined}
            aria-describedby=${isEnabled ? undefined : `why-${action}`}
            onClick=${() => ask(action)}>${pending === action ? `${labels[action]}…` : labels[action]}</button>
          <span id=${`why-${action}`} class=${sharedReason ? 'why visually-hidden' : 'why'} data-why=${action}>${isEnabled ? '' : why}</span>
        </li>`,
      )}
    </ul>
    <p class=${`control-result ${outcome?.isError ? 'error' : 'ok'}`} role="status" aria-live="polite">
      ${outcome ? html`${outcome.isError && outcome.status ? html`<strong>${outcome.status}</strong> ` : null}${outcome.text}` : ''}
    </p>
    <dialog ref=${dialog} aria-labelledby="confirm-title" onCancel=${() => setConfirming(undefined)}>
      <h3 id="confirm-title">${confirming ? `${labels[confirming]} ${status.functionName}:${status.alias}?` : ''}</h3>
      <p>${confirming ? consequences[confirming] : ''}</p>
      ${reason.trim() ? html`<p>Reason: “${reason.trim()}”</p>` : null}
      <div class="dialog-buttons">
        <button type="button" class="cancel" onClick=${() => answer(false)}>Cancel</button>
        <button type="button" class=${`confirm ${confirming ?? ''}`} data-confirm=${confirming} onClick=${() => answer(true)}>
          ${confirming ? `Yes, ${labels[confirming].toLowerCase()}` : 'Yes'}
        </button>
      </div>
    </dialog>
  </section>`;
}
