import { Me } from '@hitl/reviewer-api';
import { FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from './api';
import { Calibration } from './Calibration';
import { Controls } from './Controls';
import { Handoffs } from './Handoffs';
import { Inbox } from './Inbox';
import { QueueHealth } from './QueueHealth';
import { REVIEWER_TOKEN_KEY, cleanToken } from './session';

/** The page paths of the app; the server answers each with index.html. */
function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (next: string) => {
    if (next !== window.location.pathname) window.history.pushState(null, '', next);
    setPath(next);
  };
  return [path, go];
}

export function App() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(REVIEWER_TOKEN_KEY));
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [path, go] = usePath();

  useEffect(() => {
    if (!token) return;
    api('escalation', '/me', token, { answer: Me })
      .then(setMe)
      .catch((e: unknown) => {
        sessionStorage.removeItem(REVIEWER_TOKEN_KEY);
        setToken(null);
        setError(e instanceof ApiError && e.status === 401 ? 'That token is not a reviewer’s token.' : `Could not sign in: ${(e as Error).message}`);
      });
  }, [token]);

  if (!token || !me) {
    return <SignIn error={error} busy={!!token} onToken={(t) => (sessionStorage.setItem(REVIEWER_TOKEN_KEY, t), setError(null), setToken(t))} />;
  }
  const signOut = () => {
    sessionStorage.clear();
    setMe(null);
    setToken(null);
  };
  const view = path.startsWith('/queues')
    ? 'queues'
    : path.startsWith('/calibration')
      ? 'calibration'
      : path.startsWith('/controls')
        ? 'controls'
        : path.startsWith('/handoffs')
          ? 'handoffs'
          : 'inbox';
  const link = (to: string, label: string, name: string) => (
    <a href={to} aria-current={view === name ? 'page' : undefined} onClick={(e) => (e.preventDefault(), go(to))}>
      {label}
    </a>
  );
  return (
    <div className="app">
      <header className="topbar">
        <strong>hitl console</strong>
        <nav>
          {link('/', 'Inbox', 'inbox')}
          {link('/handoffs', 'Handoffs', 'handoffs')}
          {link('/queues', 'Queue health', 'queues')}
          {link('/calibration', 'Calibration', 'calibration')}
          {/* The kill switch: only admins pause (the API says so to anyone else, by the direct URL). */}
          {me.admin && link('/controls', 'Controls', 'controls')}
        </nav>
        <span className="who" data-testid="signed-in">
          {me.name} ({me.roles.join(', ') || 'no role'})
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      {view === 'inbox' && <Inbox token={token} me={me} path={path} go={go} />}
      {view === 'queues' && <QueueHealth token={token} />}
      {view === 'calibration' && <Calibration />}
      {view === 'controls' && <Controls token={token} me={me} />}
      {view === 'handoffs' && <Handoffs token={token} me={me} path={path} go={go} />}
    </div>
  );
}

function SignIn({ error, busy, onToken }: { error: string | null; busy: boolean; onToken: (token: string) => void }) {
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const token = cleanToken(text);
    if (token) onToken(token);
  };
  return (
    <main className="signin">
      <h1>hitl reviewer console</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">Your reviewer token</label>
        <input id="token" name="token" type="password" autoComplete="off" autoFocus value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" disabled={busy || cleanToken(text) === null}>
          Sign in
        </button>
        <p className="hint">Kept in this tab only (sessionStorage) until you sign out or close it.</p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
