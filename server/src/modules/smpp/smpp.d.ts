/**
 * Types for the parts of the `smpp` package (0.5.x, untyped JavaScript) Tollgate uses: a client session, the test
 * SMSC's server, PDUs and the status codes. Field names are the SMPP specification's.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {
    type ResponseCallback = (pdu: PDU) => void;
    type PduOptions = Record<string, unknown>;

    /**
     * A decoded PDU: the header fields, and the command's parameters and TLVs under their specification names.
     * Those are read as `unknown` and checked where used: what an SMSC sends is outside our control.
     */
    interface PDU {
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      [field: string]: unknown;
      isResponse(): boolean;
      /** The response to this request, same sequence number; `command_status` in options for an error. */
      response(options?: PduOptions): PDU;
    }

    /** One SMPP connection, either end. Emits 'pdu' and the command name for each PDU, 'close', 'error'. */
    interface Session extends EventEmitter {
      socket: Socket;
      /** Sends a PDU; false (and nothing sent) when the socket is no longer writable. */
      send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      bind_transceiver(options: PduOptions, responseCallback?: ResponseCallback): boolean;
      submit_sm(options: PduOptions, responseCallback?: ResponseCallback): boolean;
      deliver_sm(options: PduOptions, responseCallback?: ResponseCallback): boolean;
      data_sm(options: PduOptions, responseCallback?: ResponseCallback): boolean;
      enquire_link(options: PduOptions, responseCallback?: ResponseCallback): boolean;
      unbind(options: PduOptions, responseCallback?: ResponseCallback): boolean;
    }

    interface Server extends NetServer {
      /** Sessions whose socket is still open. */
      sessions: Session[];
    }

    /** A client session; it starts connecting at once. */
    function connect(options: { host: string; port: number; tls?: boolean }): Session;
    function createServer(sessionListener: (session: Session) => void): Server;

    const PDU: new (command: string, options?: PduOptions) => PDU;
    /** Command status codes by name (ESME_ROK, ESME_RINVPASWD, …). */
    const errors: Record<string, number>;
  }

  export = smpp;
}
