import { useEffect, useRef, useState } from 'react';
import { ChangePasswordDialog } from '../features/auth/ChangePasswordDialog';
import { useLogout } from '../features/auth/logout';
import { useViewer } from './viewer';

function initials(name: string): string {
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((part) => part[0]?.toUpperCase())
      .join('') || '?'
  );
}

/** The logged-in user, with change password and log out. */
export function UserMenu() {
  const viewer = useViewer();
  const user = viewer.user;
  const [open, setOpen] = useState(false);
  const [passwordDialog, setPasswordDialog] = useState(0);
  const [{ fetching }, logout] = useLogout();
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (!user) return null;
  return (
    <div className="user-menu" ref={menu}>
      <button
        type="button"
        className="user-menu__button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(user.name)}
        </span>
        <span className="user-menu__name">{user.name}</span>
        <span aria-hidden="true" className="user-menu__caret">
          ▾
        </span>
      </button>
      {open && (
        <div className="user-menu__popover" role="menu" aria-label="Account">
          <div className="user-menu__who">
            <strong>{user.name}</strong>
            <span className="muted">{user.email}</span>
            <span className="muted">
              {user.role === 'ADMIN' ? 'Platform admin' : `${viewer.merchant?.name ?? ''} · ${user.role.toLowerCase()}`}
            </span>
          </div>
          <button
            type="button"
            role="menuitem"
            className="user-menu__item"
            onClick={() => {
              setOpen(false);
              setPasswordDialog((count) => count + 1);
            }}
          >
            Change password
          </button>
          <button
            type="button"
            role="menuitem"
            className="user-menu__item"
            disabled={fetching}
            onClick={() => void logout()}
          >
            {fetching ? 'Logging out…' : 'Log out'}
          </button>
        </div>
      )}
      {passwordDialog > 0 && <ChangePasswordDialog key={passwordDialog} open onClose={() => setPasswordDialog(0)} />}
    </div>
  );
}
