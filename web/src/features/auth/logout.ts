import { useCallback } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { useResetClient } from '../../app/client';

const LogoutDocument = graphql(`
  mutation Logout {
    logout
  }
`);

/** Ends the session, forgets everything cached, and goes to the login page. */
export function useLogout(): [{ fetching: boolean }, () => Promise<void>] {
  const [{ fetching }, logout] = useMutation(LogoutDocument);
  const resetClient = useResetClient();
  const navigate = useNavigate();
  const run = useCallback(async () => {
    await logout({});
    // Leave the logged-in area first, so its pages do not refetch as anonymous on the fresh client.
    await navigate('/login', { replace: true });
    resetClient();
  }, [logout, resetClient, navigate]);
  return [{ fetching }, run];
}
