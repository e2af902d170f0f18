import { useRef, useState } from 'preact/hooks';
import { control, trainControl } from './api.js';
import { html } from './html.js';
import { controlsFor, destructiveActions, promoteToFullControl } from './release-view.js';
import { destructiveTrainActions, trainControlsFor } from './train-view.js';

/** Each button by its key: the five actions, and promote with `full` ("promote to 100%"). */
const labels = {
  pause: 'Pause',
  resume: 'Resume',
  approve: 'Approve',
  promote: 'Promote',
  'promote-full': 'Promote to 100%',
  abort: 'Abort',
};
const releaseConsequences = {
  promote: 'Promote ends the current bake and moves to the next step now (from the last step, to 100%).',
  'promote-full':
    'Promote to 100% skips every remaining step, bake and approval, and moves all traffic to the candidate now.',
  abort: 'Abort stops the release and rolls the alias back to the stable version.',
};
const trainConsequences = {
  abort:
    'Abort stops the train: its running releases roll back, and every target it promoted goes back to its previous version, newest first.',
};
const keyOf = (c) => (c.full ? `${c.action}-full` : c.action);

/**
 * A release's controls: pause, resume, approve, promote (to the next step, or to 100% at once) and abort.
 * Promotions and abort ask for a confirmation.
 */
export function Controls({ status, me, onStatus }) {
  const controls = [...controlsFor(status, me), promoteToFullControl(status, me)];
  // Abort stays last, where it always was.
  controls.push(
    ...controls.splice(
      controls.findIndex((c) => c.action === 'abort'),
      1,
    ),
  );
  return html`<${ControlPanel}
    controls=${controls}
    subject=${`${status.functionName}:${status.alias}`}
    consequences=${releaseConsequences}
    isDestructive=${(c) => destructiveActions.has(c.action)}
    send=${(c, reason) => control(status.releaseId, c.action, reason, { full: c.full === true })}
    onStatus=${onStatus} />`;
}

/** A train's controls: pause, resume, approve (the waiting wave) and abort (with a confirmation). */
export function TrainControls({ status, me, onStatus }) {
  return html`<${ControlPanel}
    controls=${trainControlsFor(status, me)}
    subject=${`train ${status.name}`}
    consequences=${trainConsequences}
    isDestructive=${(c) => destructiveTrainActions.has(c.action)}
    send=${(c, reason) => trainControl(status.id, c.action, reason)}
    onStatus=${onStatus} />`;
}

/**
 * The control buttons, each disabled with the reason shown when the token lacks the scope or the state
 * forbids it; a shared reason field; a confirmation for what cannot be taken back. A refusal (the workflow
 * validator's 409) is shown exactly as the API words it.
 */
function ControlPanel({ controls, subject, consequences, isDestructive, send, onStatus }) {
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(undefined);
  const [outcome, setOutcome] = useState(undefined);
  const [confirming, setConfirming] = useState(undefined);
  const dialog = useRef(null);
  const byKey = new Map(controls.map((c) => [keyOf(c), c]));

  const run = async (key) => {
    setPending(key);
    setOutcome(undefined);
    try {
      const next = await send(byKey.get(key), reason.trim() || undefined);
      setOutcome({ isError: false, text: `${labels[key]}: done.` });
      setReason('');
      onStatus(next);
    } catch (error) {
      setOutcome({ isError: true, text: error.message, status: error.status });
    } finally {
      setPending(undefined);
    }
  };
  const ask = (key) => {
    if (!isDestructive(byKey.get(key))) return run(key);
    setConfirming(key);
    dialog.current?.showModal();
  };
  const answer = (isConfirmed) => {
    const key = confirming;
    dialog.current?.close();
    setConfirming(undefined);
    if (isConfirmed && key) run(key);
  };

  // One reason for all (an ended release, a read-only token) is said once, not on every button.
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
      ${controls.map((c) => {
        const key = keyOf(c);
        return html`<li key=${key}>
          <button type="button" class=${`control ${key}`} data-action=${key}
            disabled=${!c.isEnabled || pending !== undefined}
            aria-describedby=${c.isEnabled ? undefined : `why-${key}`}
            onClick=${() => ask(key)}>${pending === key ? `${labels[key]}…` : labels[key]}</button>
          <span id=${`why-${key}`} class=${sharedReason ? 'why visually-hidden' : 'why'} data-why=${key}>${c.isEnabled ? '' : c.reason}</span>
        </li>`;
      })}
    </ul>
    <p class=${`control-result ${outcome?.isError ? 'error' : 'ok'}`} role="status" aria-live="polite">
      ${outcome ? html`${outcome.isError && outcome.status ? html`<strong>${outcome.status}</strong> ` : null}${outcome.text}` : ''}
    </p>
    <dialog ref=${dialog} aria-labelledby="confirm-title" onCancel=${() => setConfirming(undefined)}>
      <h3 id="confirm-title">${confirming ? `${labels[confirming]} ${subject}?` : ''}</h3>
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
