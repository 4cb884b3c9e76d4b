// AITBC web app: a static page that talks to an aitbc-node over WebSocket (no server of ours holds
// keys or data). Pages are chosen by the URL's hash so any static file server can serve it.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { connect, connection } from './chain';
import { useStore } from './store';
import { ChainContext, ErrorBox, Link } from './ui';
import { wallet } from './wallet';
import { shortAddress } from './format';
import { Explorer } from './pages/explorer';
import { BlockPage } from './pages/block';
import { AccountPage } from './pages/account';
import { JobPage } from './pages/job';
import { Generate } from './pages/generate';
import { Providers, ProviderPage } from './pages/providers';
import { WalletPage } from './pages/wallet';
import { MarketPage } from './pages/market';

function useHashRoute(): string[] {
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const read = () => (location.hash.replace(/^#\/?/, '') || '').split('/').filter(Boolean).map(decode);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function Page({ route }: { route: string[] }) {
  const [page, arg] = route;
  switch (page ?? '') {
    case '':
    case 'explorer':
      return <Explorer />;
    case 'block':
      return <BlockPage id={arg ?? ''} />;
    case 'account':
      return <AccountPage address={arg ?? ''} />;
    case 'job':
      return <JobPage id={arg ?? ''} />;
    case 'generate':
      return <Generate />;
    case 'providers':
      return <Providers />;
    case 'provider':
      return <ProviderPage address={arg ?? ''} />;
    case 'wallet':
      return <WalletPage />;
    case 'market':
      return <MarketPage pair={arg ?? ''} />;
    default:
      return <ErrorBox error={`There is no page "${route.join('/')}".`} />;
  }
}

function NodeBar() {
  const conn = useStore(connection);
  const [url, setUrl] = useState(conn.url);
  useEffect(() => setUrl(conn.url), [conn.url]);
  const status =
    conn.state === 'ready' ? (
      <span class="status ok" data-testid="node-status">
        {conn.info.name} · spec {conn.info.specVersion}
      </span>
    ) : conn.state === 'connecting' ? (
      <span class="status" data-testid="node-status">
        connecting…
      </span>
    ) : (
      <span class="status bad" data-testid="node-status">
        {conn.state === 'lost' ? 'disconnected' : 'not connected'}
      </span>
    );
  return (
    <form
      class="nodebar"
      onSubmit={(e) => {
        e.preventDefault();
        connect(url);
      }}
    >
      <label>
        <span class="label">Node</span>
        <input name="rpc" value={url} onInput={(e) => setUrl(e.currentTarget.value)} spellcheck={false} aria-label="Node WebSocket URL" />
      </label>
      <button type="submit">Connect</button>
      {status}
    </form>
  );
}

function App() {
  const route = useHashRoute();
  const conn = useStore(connection);
  const account = useStore(wallet).selected;
  const here = route[0] ?? '';
  const nav = [
    ['', 'Explorer'],
    ['generate', 'Generate'],
    ['providers', 'Providers'],
    ['market', 'Market'],
    ['wallet', 'Wallet'],
  ] as const;
  return (
    <>
      <header>
        <div class="brand">
          <Link to="/">AITBC</Link>
        </div>
        <nav>
          {nav.map(([path, label]) => (
            <Link key={path} to={`/${path}`} class={here === path || (path === '' && here === 'explorer') ? 'active' : ''} current={here === path || (path === '' && here === 'explorer')}>
              {label}
            </Link>
          ))}
        </nav>
        <div class="who" data-testid="header-account">
          {account ? <Link to="/wallet">{shortAddress(account)}</Link> : <Link to="/wallet">Connect wallet</Link>}
        </div>
      </header>
      <NodeBar />
      <main>
        {conn.state === 'ready' ? (
          <ChainContext.Provider value={{ api: conn.api, provider: conn.provider, info: conn.info }}>
            <Page route={route} />
          </ChainContext.Provider>
        ) : conn.state === 'connecting' ? (
          <p class="muted">Connecting to {conn.url}…</p>
        ) : (
          <ErrorBox title="No node." error={conn.error} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
connect(connection.value.url);
