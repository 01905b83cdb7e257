import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { ViewerQuery } from '../gql/graphql';
import { QueryView } from './components/QueryView';
import { TotpRequiredPage } from '../features/auth/TwoFactor';

const ViewerDocument = graphql(`
  query Viewer {
    me {
      scopes
      user {
        id
        name
        email
        role
        twoFactorEnabled
      }
      merchant {
        id
        name
        suspendedAt
        suspensionReason
      }
    }
  }
`);

export type Viewer = NonNullable<ViewerQuery['me']>;
export type Area = 'merchant' | 'admin';

const ViewerContext = createContext<Viewer | null>(null);

/** The logged-in caller; only inside <RequireViewer>. */
export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error('useViewer() outside <RequireViewer>');
  return viewer;
}

/** Whether the caller may change things: READ_ONLY members and suspended merchants may only look (the server agrees). */
export function useCanWrite(): boolean {
  return useViewer().scopes.includes('write');
}

export function homeFor(role: string | undefined): string {
  return role === 'ADMIN' ? '/admin' : '/dashboard';
}

/** Renders its children for a logged-in user of the area; others go to the login page or to their own area. */
export function RequireViewer({
  area,
  children,
  frame,
}: {
  area: Area;
  children: ReactNode;
  /** The area's frame, shown around the session check so it does not flash blank. */
  frame?: (state: ReactNode) => ReactNode;
}) {
  const location = useLocation();
  const [query, refetch] = useQuery({ query: ViewerDocument });
  const { data } = query;
  if (!data && frame) return frame(<QueryView query={query} refetch={refetch} loading="Checking your session…" />);
  if (!data)
    return (
      <QueryView
        query={query}
        refetch={refetch}
        loading="Checking your session…"
        errorWrap={(state) => <div className="centered">{state}</div>}
      />
    );
  const me = data.me;
  if (!me?.user) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  const isAdmin = me.user.role === 'ADMIN';
  if (isAdmin !== (area === 'admin')) return <Navigate to={homeFor(me.user.role)} replace />;
  // Admins use two-factor login: until they enrol, the console is only the enrolment (the server refuses the rest).
  if (isAdmin && !me.user.twoFactorEnabled) return <TotpRequiredPage />;
  // A READ_ONLY member or a suspended merchant: write actions are hidden in one place (styles.css, `.read-only`);
  // the server refuses them anyway.
  const readOnly = !me.scopes.includes('write');
  return (
    <ViewerContext.Provider value={me}>
      <div className={readOnly ? 'area read-only' : 'area'}>{children}</div>
    </ViewerContext.Provider>
  );
}

/** `/`: wherever the caller belongs. */
export function HomeRedirect() {
  const [query, refetch] = useQuery({ query: ViewerDocument });
  const { data } = query;
  if (!data)
    return (
      <QueryView
        query={query}
        refetch={refetch}
        loading="Checking your session…"
        errorWrap={(state) => <div className="centered">{state}</div>}
      />
    );
  const user = data.me?.user;
  return <Navigate to={user ? homeFor(user.role) : '/login'} replace />;
}
