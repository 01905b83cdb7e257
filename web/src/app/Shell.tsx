import { Link, NavLink, Outlet } from 'react-router';
import { UserMenu } from './UserMenu';
import { useViewer, type Area } from './viewer';
import { SuspensionBanner } from '../features/merchants/SuspensionBanner';

export interface NavItem {
  /** Relative to the area's root; "" is its index page. */
  path: string;
  label: string;
}

/** The frame of a logged-in area: top bar with the user menu, the area's navigation, and the page. */
export function Shell({ area, nav }: { area: Area; nav: readonly NavItem[] }) {
  const viewer = useViewer();
  const root = area === 'admin' ? '/admin' : '/dashboard';
  return (
    <div className="shell">
      <header className="topbar">
        <Link to={root} className="brand">
          <span className="brand__mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </Link>
        <span className="topbar__context">{area === 'admin' ? 'Admin console' : viewer.merchant?.name}</span>
        <UserMenu />
      </header>
      <nav className="sidenav" aria-label={area === 'admin' ? 'Admin console' : 'Dashboard'}>
        {nav.map((item) => (
          <NavLink
            key={item.path}
            to={item.path ? `${root}/${item.path}` : root}
            end={item.path === ''}
            className={({ isActive }) => (isActive ? 'sidenav__link sidenav__link--active' : 'sidenav__link')}
          >
            {item.label}
          </NavLink>
        ))}
      </nav>
      <main className="content">
        <SuspensionBanner />
        <Outlet />
      </main>
    </div>
  );
}
