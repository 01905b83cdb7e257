import type { IncomingHttpHeaders } from 'node:http';
import type { EntityManager } from '@mikro-orm/core';
import { parse as parseCookies } from 'cookie';
import type { Viewer } from '../../common/context';
import { SESSION_COOKIE, viewerForSession } from '../auth';
import { viewerForApiKey } from './api-key.service';

/**
 * Who is calling a module's own HTTP route, as the GraphQL context decides it: a bearer API key wins over the
 * dashboard's session cookie; neither (or one that does not hold) is null.
 */
export async function viewerOfRequest(em: EntityManager, headers: IncomingHttpHeaders): Promise<Viewer | null> {
  const authorization = headers.authorization;
  if (authorization?.startsWith('Bearer ')) return viewerForApiKey(em, authorization.slice(7).trim());
  const session = parseCookies(headers.cookie ?? '')[SESSION_COOKIE];
  return session ? viewerForSession(em, session) : null;
}
