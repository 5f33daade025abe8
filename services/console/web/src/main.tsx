// The console page: a hash-routed Preact app over the console server's /api.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Attention } from './pages/Attention.js';
import { DeadLetters } from './pages/DeadLetters.js';
import { Health } from './pages/Health.js';
import { OrderPage } from './pages/OrderPage.js';
import { Orders } from './pages/Orders.js';
import { PlaceOrder } from './pages/PlaceOrder.js';
import './style.css';

interface Route {
  readonly path: string[];
  readonly params: URLSearchParams;
}

function currentRoute(): Route {
  const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  return {
    path: path.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(search),
  };
}

const NAV = [
  ['orders', 'Orders'],
  ['attention', 'Needs attention'],
  ['dead-letters', 'Dead letters'],
  ['health', 'Health'],
  ['place', 'Place an order'],
] as const;

function App() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const [section = 'orders', id] = route.path;
  let page;
  if (section === 'orders' && id)
    page = <OrderPage key={id} orderId={id} traceId={route.params.get('trace')} />;
  else if (section === 'attention') page = <Attention />;
  else if (section === 'dead-letters') page = <DeadLetters />;
  else if (section === 'health') page = <Health />;
  else if (section === 'place') page = <PlaceOrder />;
  else page = <Orders />;
  return (
    <>
      <header>
        <p class="brand">orderflow console</p>
        <nav aria-label="Sections">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a href={`#/${href}`} aria-current={section === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main>{page}</main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
