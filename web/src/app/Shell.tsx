import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { UserMenu } from './UserMenu';
import { useViewer, type Area } from './viewer';
import { SuspensionBanner } from '../features/merchants/SuspensionBanner';

export interface NavItem {
  /** Relative to the area's root; "" is its index page. */
  path: string;
  label: string;
}

/**
 * The frame of a logged-in area: skip link, top bar, the area's navigation (a disclosure menu at phone width) and the
 * main content. It also stands while the session is checked, so nothing jumps when the page arrives.
 */
export function ShellFrame({
  area,
  nav,
  context,
  userMenu,
  children,
}: {
  area: Area;
  nav: readonly NavItem[];
  context?: ReactNode;
  userMenu?: ReactNode;
  children: ReactNode;
}) {
  const root = area === 'admin' ? '/admin' : '/dashboard';
  const label = area === 'admin' ? 'Admin console' : 'Dashboard';
  const [menuOpen, setMenuOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    if (!menuOpen) return;
    // Focus the current page's link (or the first); Tab goes on through the links, Escape closes.
    const current = navRef.current?.querySelector<HTMLAnchorElement>('[aria-current="page"]');
    (current ?? navRef.current?.querySelector<HTMLAnchorElement>('a'))?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  /** Choosing a page closes the phone menu and takes focus to the page, not to a link that is now hidden. */
  const navigated = () => {
    if (!menuOpen) return;
    setMenuOpen(false);
    main.current?.focus();
  };

  return (
    <div className="shell">
      <a
        href="#main"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <header className="topbar">
        <button
          ref={toggle}
          type="button"
          className="nav-toggle"
          aria-expanded={menuOpen}
          aria-controls="area-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <span className="nav-toggle__icon" aria-hidden="true" />
          Menu
        </button>
        <Link to={root} className="brand">
          <span className="brand__mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </Link>
        <span className="topbar__context">{context}</span>
        {userMenu}
      </header>
      <nav id="area-nav" ref={navRef} className={menuOpen ? 'sidenav sidenav--open' : 'sidenav'} aria-label={label}>
        {nav.map((item) => (
          <NavLink
            key={item.path}
            to={item.path ? `${root}/${item.path}` : root}
            end={item.path === ''}
            onClick={navigated}
            className={({ isActive }) => (isActive ? 'sidenav__link sidenav__link--active' : 'sidenav__link')}
          >
            {item.label}
          </NavLink>
        ))}
      </nav>
      <main id="main" ref={main} className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The frame of a logged-in area with the caller's context and user menu, and the matched page. */
export function Shell({ area, nav }: { area: Area; nav: readonly NavItem[] }) {
  const viewer = useViewer();
  return (
    <ShellFrame
      area={area}
      nav={nav}
      context={area === 'admin' ? 'Admin console' : viewer.merchant?.name}
      userMenu={<UserMenu />}
    >
      {/* Here, not in the frame: the frame also shows while the viewer is still loading. */}
      <SuspensionBanner />
      <Outlet />
    </ShellFrame>
  );
}
