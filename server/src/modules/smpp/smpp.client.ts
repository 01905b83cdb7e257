import smpp from 'smpp';
import type { Config } from '../../common/config';
import { log as rootLog } from '../../common/log';
import { DeliveryError } from '../outbox';
import type { OutboundSms, SmsChannel } from '../sms';
import { registerSmsChannel, unregisterSmsChannel } from '../sms';
import { markSmsDelivery } from '../sms';
import { receiveInboundSms, SmsInputError, type SmsPipelineDeps } from '../sms';
import { receivePart } from './smpp.parts';
import {
  deliverKind,
  derivedMessageId,
  MalformedPduError,
  parseReceipt,
  segmentOf,
  SmppStatus,
  statusName,
  submitSmOptions,
  toInboundSms,
  type LinkProfile,
} from './smpp.pdu';

export type SmppLogLevel = 'info' | 'warn' | 'error';

export interface SmppClientOptions {
  /** `smpp://system_id:password@host:port`, or `ssmpp://` for TLS (as SMPP_URL). */
  url: string;
  /** Country of the payers behind this SMSC (SMPP_DEFAULT_COUNTRY). */
  country: string;
  /** Their mobile operator, when the SMSC serves one (SMPP_OPERATOR). */
  operator?: string | null;
  /** How long a message id derived from the content stands for one SMS (SMPP_REDELIVERY_WINDOW_SECONDS). Default
   * 600 s. */
  redeliveryWindowMs?: number;
  /** First wait before reconnecting; doubles after each failed attempt up to maxBackoffMs. Default 1 s. */
  initialBackoffMs?: number;
  /** Default 60 s. */
  maxBackoffMs?: number;
  /** How often an idle-or-not link is probed with enquire_link. Default 30 s. */
  enquireLinkMs?: number;
  /** How long the SMSC may take to answer a bind, enquire_link, submit_sm or unbind (and to accept the TCP
   * connection). Default 10 s; a link whose SMSC stays silent that long is dropped and bound again. */
  responseTimeoutMs?: number;
  /** Where the link reports binds, drops and failures. Default: the process's logger. */
  log?: (level: SmppLogLevel, message: string) => void;
  /** The pipeline's entry point; tests wrap it to make storing fail. */
  receive?: typeof receiveInboundSms;
}

export interface SmppClient {
  /** The provider name SMS from this link carry: `smpp:<host>:<system_id>` (see smppProvider). */
  readonly provider: string;
  /** Sends replies for `provider` with submit_sm; registered with the SMS module while the client runs. */
  readonly channel: SmsChannel;
  /** Whether a bind is up right now. */
  readonly bound: boolean;
  /** Lets in-flight SMS finish (stored and acknowledged), unbinds, closes, and stops reconnecting. */
  stop(): Promise<void>;
}

/** The connection settings in an SMPP URL. */
export function parseSmppUrl(url: string): {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
} {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'ssmpp:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : tls ? 3550 : 2775,
    tls,
    systemId: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

/**
 * The provider name of a link, e.g. `smpp:smsc.example.com:tollgate`: stable across restarts and reconnects, since
 * message ids are unique per provider. Provider names allow letters, digits and `:._-` only (so no `@`), other
 * characters become `-`; the column holds 60 characters, and a system_id has at most 16, so only an absurdly long
 * host name is cut.
 */
export function smppProvider(host: string, systemId: string): string {
  const clean = (value: string) => value.replace(/[^a-z0-9._-]/gi, '-');
  return `smpp:${clean(host)}:${clean(systemId)}`.slice(0, 60);
}

/** The client options the SMPP_* variables describe; null when SMPP_URL is unset. */
export function smppOptionsFromConfig(config: Config): SmppClientOptions | null {
  if (!config.smppUrl || !config.smppDefaultCountry) return null;
  return {
    url: config.smppUrl,
    country: config.smppDefaultCountry,
    operator: config.smppOperator,
    redeliveryWindowMs: config.smppRedeliveryWindowSeconds * 1000,
  };
}

/** submit_sm_resp statuses no retry can fix: ESME_RINVSRCADR, ESME_RINVDSTADR. */
const PERMANENT_SUBMIT_ERRORS = new Set([0x0a, 0x0b]);

/** One TCP connection and its bind; a new one is made for every reconnect, so nothing stale carries over. */
interface Connection {
  session: smpp.Session;
  bound: boolean;
  /** When the bind succeeded (ms); a link that stayed up long enough starts its next backoff from the beginning. */
  boundAt: number;
  closed: boolean;
  /** Requests awaiting their response; rejected when the connection closes (their callbacks would never run). */
  pending: Set<(error: Error) => void>;
  /** deliver_sm are handled one after another: each is stored, then acknowledged, in the order received. */
  inbound: Promise<void>;
  enquireTimer: NodeJS.Timeout | null;
  enquiring: boolean;
  whenClosed: Promise<void>;
  markClosed(): void;
}

/**
 * Binds to an SMSC as a transceiver (ESME) and keeps the bind up: every deliver_sm goes to the SMS pipeline (or, if
 * it is a delivery receipt, to markSmsDelivery) and is acknowledged only once stored — if storing fails the answer
 * is a temporary error, so the SMSC delivers it again; replies leave as submit_sm. enquire_link probes the link; when
 * it drops (unbind, socket closed, error, silence) the client connects and binds again after an exponential backoff.
 */
export function startSmppClient(deps: SmsPipelineDeps, options: SmppClientOptions): SmppClient {
  const { host, port, tls, systemId, password } = parseSmppUrl(options.url);
  const provider = smppProvider(host, systemId);
  const profile: LinkProfile = {
    provider,
    country: options.country,
    operator: options.operator ?? null,
    redeliveryWindowMs: options.redeliveryWindowMs ?? 600_000,
  };
  const initialBackoffMs = options.initialBackoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const enquireLinkMs = options.enquireLinkMs ?? 30_000;
  const responseTimeoutMs = options.responseTimeoutMs ?? 10_000;
  const receive = options.receive ?? receiveInboundSms;
  const logger = rootLog.child({ module: 'smpp', provider });
  const log = options.log ?? ((level: SmppLogLevel, message: string) => logger[level](message));

  let current: Connection | null = null;
  let failures = 0;
  let stopping = false;
  let reconnectTimer: NodeJS.Timeout | null = null;

  /** Sends a request and resolves with its response; rejects on timeout, or if the connection closes first. */
  function request(connection: Connection, command: string, params: Record<string, unknown>): Promise<smpp.PDU> {
    return new Promise((resolve, reject) => {
      if (connection.closed) return reject(new Error(`SMPP link ${provider} is down`));
      const fail = (error: Error) => {
        clearTimeout(timer);
        connection.pending.delete(fail);
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error(`${command}: no response from the SMSC in ${responseTimeoutMs} ms`)),
        responseTimeoutMs,
      );
      connection.pending.add(fail);
      const sent = connection.session.send(new smpp.PDU(command, params), (response) => {
        clearTimeout(timer);
        connection.pending.delete(fail);
        resolve(response);
      });
      if (!sent) fail(new Error(`SMPP link ${provider} is down`));
    });
  }

  function connect(): void {
    reconnectTimer = null;
    if (stopping) return;
    const session = smpp.connect({ host, port, tls });
    let markClosed!: () => void;
    const whenClosed = new Promise<void>((resolve) => (markClosed = resolve));
    const connection: Connection = {
      session,
      bound: false,
      boundAt: 0,
      closed: false,
      pending: new Set(),
      inbound: Promise.resolve(),
      enquireTimer: null,
      enquiring: false,
      whenClosed,
      markClosed,
    };
    current = connection;

    // Covers the TCP connect as well as the bind: an SMSC that never answers must not hold the client forever.
    const bindTimer = setTimeout(() => {
      if (!connection.bound) {
        log('warn', `not bound after ${responseTimeoutMs} ms; dropping the connection`);
        session.destroy();
      }
    }, responseTimeoutMs);

    session.on(tls ? 'secureConnect' : 'connect', () => void bind(connection));
    // 'error' is followed by 'close' for socket errors; a PDU the library cannot parse leaves the session stuck, so
    // the socket is destroyed either way and the link starts over.
    session.on('error', (error: Error) => {
      log('warn', `connection error: ${error.message}`);
      session.destroy();
    });
    session.on('close', () => {
      clearTimeout(bindTimer);
      closed(connection);
    });
    // An SMS comes as deliver_sm, or as data_sm (SMPP 3.4 lets an SMSC send either to a transceiver); both are
    // answered (deliver_sm_resp, data_sm_resp) once stored.
    const inbound = (pdu: smpp.PDU) => {
      // Unbinding: not stored now, so not acknowledged either; the SMSC delivers it again on the next bind.
      if (stopping) return void session.send(pdu.response({ command_status: SmppStatus.TEMPORARY_ERROR }));
      connection.inbound = connection.inbound.then(() => handleDeliver(connection, pdu));
    };
    session.on('deliver_sm', inbound);
    session.on('data_sm', inbound);
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      log('warn', 'the SMSC unbound');
      connection.bound = false;
      session.send(pdu.response());
      session.close();
    });
    // A command this library doesn't know: generic_nack, as SMPP asks.
    session.on('unknown', (pdu: smpp.PDU) => session.send(pdu.response()));
  }

  async function bind(connection: Connection): Promise<void> {
    let response: smpp.PDU;
    try {
      response = await request(connection, 'bind_transceiver', {
        system_id: systemId,
        password,
        interface_version: 0x34,
      });
    } catch (error) {
      log('warn', `bind failed: ${(error as Error).message}`);
      connection.session.destroy();
      return;
    }
    if (response.command_status !== SmppStatus.OK) {
      // Wrong password, unknown system_id, too many binds: reported, then retried with backoff like any other drop,
      // because an operator may fix the SMSC side without restarting Tollgate.
      log('error', `bind_transceiver refused by the SMSC: ${statusName(response.command_status)}`);
      connection.session.close();
      return;
    }
    if (connection.closed || stopping) return;
    connection.bound = true;
    connection.boundAt = Date.now();
    log('info', `bound as a transceiver to ${host}:${port}`);
    connection.enquireTimer = setInterval(() => void enquire(connection), enquireLinkMs);
  }

  /** One enquire_link at a time; no answer in time means the link is dead even if TCP hasn't noticed. */
  async function enquire(connection: Connection): Promise<void> {
    if (connection.enquiring || !connection.bound) return;
    connection.enquiring = true;
    try {
      await request(connection, 'enquire_link', {});
    } catch (error) {
      log('warn', `${(error as Error).message}; dropping the link`);
      connection.session.destroy();
    } finally {
      connection.enquiring = false;
    }
  }

  /** Stores first, acknowledges after. Never throws: the answer's status is the outcome. */
  async function handleDeliver(connection: Connection, pdu: smpp.PDU): Promise<void> {
    let status: number = SmppStatus.OK;
    try {
      const kind = deliverKind(pdu);
      if (kind === 'sms') {
        const sms = toInboundSms(pdu, profile);
        const segment = segmentOf(pdu);
        // A part is known by its own content (never an id the SMSC gave the whole message).
        if (segment) await receivePart(deps, { ...sms, messageId: derivedMessageId(pdu) }, segment, { receive, log });
        else await receive(deps, sms);
      } else if (kind === 'receipt') await recordReceipt(pdu);
    } catch (error) {
      const permanent = error instanceof MalformedPduError || error instanceof SmsInputError;
      // Permanent only for an SMS the pipeline refuses as malformed (it would refuse it every time); anything else
      // (database down, a bug) is temporary, so the SMSC keeps the message and tries again.
      status = permanent ? SmppStatus.PERMANENT_ERROR : SmppStatus.TEMPORARY_ERROR;
      log('error', `${pdu.command} not stored (${permanent ? 'refused' : 'the SMSC will retry'}): ${String(error)}`);
    }
    // If the connection dropped meanwhile the answer is lost; the SMSC redelivers, and the pipeline counts it once.
    connection.session.send(pdu.response({ command_status: status }));
  }

  async function recordReceipt(pdu: smpp.PDU): Promise<void> {
    const receipt = parseReceipt(pdu);
    if (!receipt) {
      // Nothing to match it to, now or later: acknowledged, so the SMSC doesn't resend it forever.
      log('warn', 'delivery receipt without a message id ignored');
      return;
    }
    if (!receipt.state) return; // ENROUTE, ACCEPTED…: not final, nothing to record
    const reply = await markSmsDelivery(deps.orm.em.fork(), {
      provider,
      providerMessageId: receipt.providerMessageId,
      status: receipt.state,
      error: receipt.detail,
    });
    // No reply with that id yet: the receipt overtook the outbox recording the submit_sm_resp. A temporary error
    // makes the SMSC deliver the receipt again later, when the reply will be there.
    if (!reply) throw new Error(`no reply sent as ${receipt.providerMessageId} on ${provider} (yet)`);
  }

  function closed(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    connection.bound = false;
    if (connection.enquireTimer) clearInterval(connection.enquireTimer);
    for (const fail of [...connection.pending]) fail(new Error(`SMPP link ${provider} closed`));
    connection.markClosed();
    if (current === connection) current = null;
    if (stopping) return;
    // Backoff grows over failed attempts and over binds that drop at once (an SMSC refusing us right after the
    // bind); only a bind that stayed up a while resets it.
    if (connection.boundAt && Date.now() - connection.boundAt >= maxBackoffMs) failures = 0;
    const delay = Math.min(maxBackoffMs, initialBackoffMs * 2 ** failures);
    failures++;
    log('warn', `link down; reconnecting in ${delay} ms`);
    reconnectTimer = setTimeout(connect, delay);
  }

  const channel: SmsChannel = {
    providers: [provider],
    async send(message: OutboundSms) {
      const connection = current;
      // Rejecting leaves the reply in the outbox, which tries again once the link is back.
      if (!connection?.bound || stopping) throw new Error(`SMPP link ${provider} is not bound`);
      const response = await request(connection, 'submit_sm', submitSmOptions(message));
      if (response.command_status !== SmppStatus.OK) {
        // A bad address stays bad: the outbox gives up at once. Anything else (throttled, queue full…) is retried.
        throw new DeliveryError(`submit_sm refused by the SMSC: ${statusName(response.command_status)}`, {
          permanent: PERMANENT_SUBMIT_ERRORS.has(response.command_status),
        });
      }
      if (typeof response.message_id !== 'string' || !response.message_id) {
        throw new Error('submit_sm_resp carried no message_id');
      }
      return { providerMessageId: response.message_id };
    },
  };

  registerSmsChannel(channel);
  connect();

  return {
    provider,
    channel,
    get bound() {
      return current?.bound ?? false;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      unregisterSmsChannel(channel);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const connection = current;
      if (!connection) return;
      // SMS already received get stored and acknowledged before the unbind (new ones are refused temporarily),
      // unless the database hangs: then the SMSC keeps them, as it keeps any SMS it has no answer for.
      let giveUp: NodeJS.Timeout | undefined;
      await Promise.race([
        connection.inbound,
        new Promise((resolve) => (giveUp = setTimeout(resolve, responseTimeoutMs))),
      ]);
      clearTimeout(giveUp);
      if (connection.bound) {
        try {
          await request(connection, 'unbind', {});
        } catch {
          // No answer: closing anyway is all that's left.
        }
        connection.session.close();
      } else {
        connection.session.destroy(); // still connecting or binding: nothing to say goodbye to
      }
      const timeout = setTimeout(() => connection.session.destroy(), responseTimeoutMs);
      await connection.whenClosed;
      clearTimeout(timeout);
      log('info', 'unbound and closed');
    },
  };
}
