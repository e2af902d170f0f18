import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';

/** History-API routing: links change the path without a reload, Back and Forward work. */
const listeners = new Set();

export function navigate(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const listener of listeners) listener();
}

export function useLocation() {
  const read = () => ({ path: location.pathname, search: location.search });
  const [where, setWhere] = useState(read);
  useEffect(() => {
    const update = () => setWhere(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return where;
}

export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    event.preventDefault();
    navigate(href);
    window.scrollTo(0, 0);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}
