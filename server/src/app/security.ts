import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../common/config';

/**
 * Who may frame a response, as CSP `frame-ancestors` sources; nobody by default (clickjacking). The hook for framing
 * a checkout page on a partner's site: return that partner's origins for that page's requests (and keep every other
 * page unframed). Nothing uses it yet.
 */
export type FramingPolicy = (req: IncomingMessage) => readonly string[];

const NO_FRAMING: FramingPolicy = () => [];

/**
 * Security headers on every response (helmet). The Content-Security-Policy allows what the SPA in web/dist needs and
 * nothing more: its own scripts and styles (Vite emits no inline ones), the GraphQL websocket on this origin ('self'
 * covers ws:/wss: to the same host), and images from this origin, data: URLs and https (a voucher shop's logo is the
 * merchant's URL). Server-rendered payer pages with inline styles (purse forms, access-code answers) send a CSP of
 * their own, which replaces this one.
 */
export function securityHeaders(config: Config, framing: FramingPolicy = NO_FRAMING): RequestHandler {
  const https = config.publicUrl.startsWith('https:');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: [(req) => framing(req).join(' ') || "'none'"],
        // Over plain http (development, tests) upgrading would break every asset.
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    // CSP frame-ancestors rules modern browsers; X-Frame-Options is for old ones, so it must not contradict a partner
    // framing: it is left out when a policy allows someone.
    xFrameOptions: framing === NO_FRAMING ? { action: 'deny' } : false,
    // Only over https: HSTS on an http origin would lock browsers out of a development server on the same name.
    strictTransportSecurity: https ? { maxAge: 365 * 86_400, includeSubDomains: true } : false,
  });
}
