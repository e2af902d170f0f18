import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { tokenStore, whenUnauthorized, me as whoAmI } from './api.js';
import { html } from './html.js';
import { ReleasePage } from './release-page.js';
import { ReleasesPage } from './releases-page.js';
import { Link, navigate, useLocation } from './router.js';
import { SignInPage } from './sign-in-page.js';
import { TrainPage } from './train-page.js';

function signInHref() {
  const here = `${location.pathname}${location.search}`;
  return here.startsWith('/ui/sign-in') ? here : `/ui/sign-in?next=${encodeURIComponent(here)}`;
}

function Header({ me, onSignOut }) {
  return html`<header class="top">
    <a class="skip" href="#main">Skip to content</a>
    <${Link} href="/ui" class="brand">Ramp</${Link}>
    <nav aria-label="Main"><${Link} href="/ui">Releases</${Link}></nav>
    <span class="who">
      ${me ? html`<span>${me.isOpen ? 'open API (no token needed)' : html`signed in as <strong>${me.name}</strong> (${me.scopes.join(', ')})`}</span>` : null}
      ${me && !me.isOpen ? html`<button type="button" class="link-button" onClick=${onSignOut}>Sign out</button>` : null}
    </span>
  </header>`;
}

function App() {
  const { path, search } = useLocation();
  const [me, setMe] = useState(undefined);
  const [meError, setMeError] = useState(undefined);

  useEffect(() => {
    whenUnauthorized(() => {
      setMe(undefined);
      if (!location.pathname.startsWith('/ui/sign-in')) navigate(signInHref(), { replace: true });
    });
    whoAmI().then(setMe, (error) => {
      if (error.status !== 401) setMeError(error.message);
    });
  }, []);

  const signOut = () => {
    tokenStore.clear();
    setMe(undefined);
    navigate('/ui/sign-in', { replace: true });
  };

  const release = /^\/ui\/releases\/([^/]+)$/.exec(path);
  const train = /^\/ui\/trains\/([^/]+)$/.exec(path);
  let page;
  if (path.startsWith('/ui/sign-in')) page = html`<${SignInPage} search=${search} onSignedIn=${setMe} />`;
  else if (!me)
    page = html`<p aria-busy="true">${meError ? html`<span class="error" role="alert">${meError}</span>` : 'Loading…'}</p>`;
  else if (release) page = html`<${ReleasePage} id=${decodeURIComponent(release[1])} me=${me} />`;
  else if (train) page = html`<${TrainPage} id=${decodeURIComponent(train[1])} me=${me} />`;
  else page = html`<${ReleasesPage} search=${search} />`;

  return html`<${Header} me=${me} onSignOut=${signOut} /><main id="main" tabindex="-1">${page}</main>`;
}

render(html`<${App} />`, document.getElementById('app'));
