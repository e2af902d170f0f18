import { useState } from 'preact/hooks';
import { tokenStore, me as whoAmI } from './api.js';
import { html } from './html.js';
import { navigate } from './router.js';

/** Asks for an API token, checks it with `GET /v1/me`, and keeps it in sessionStorage for this tab. */
export function SignInPage({ search, onSignedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(undefined);
  const [isChecking, setChecking] = useState(false);
  const next = new URLSearchParams(search).get('next');
  const target = next?.startsWith('/ui') ? next : '/ui';

  const submit = async (event) => {
    event.preventDefault();
    setChecking(true);
    setError(undefined);
    try {
      const who = await whoAmI(token.trim());
      tokenStore.set(token.trim());
      onSignedIn(who);
      navigate(target, { replace: true });
    } catch (caught) {
      setError(caught.status === 401 ? `That token was not accepted: ${caught.message}` : caught.message);
    } finally {
      setChecking(false);
    }
  };

  return html`<section class="sign-in" aria-labelledby="sign-in-title">
    <h1 id="sign-in-title">Sign in to Ramp</h1>
    <p>Paste an API token (the same bearer token the CLI and CI use). It is kept in this tab only, in
      sessionStorage, and sent to this server alone.</p>
    <form onSubmit=${submit}>
      <label>API token
        <input name="token" type="password" autocomplete="current-password" required value=${token}
          onInput=${(e) => setToken(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled=${isChecking}>${isChecking ? 'Checking…' : 'Sign in'}</button>
    </form>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
  </section>`;
}
