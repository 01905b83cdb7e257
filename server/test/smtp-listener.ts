import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
}

/** A real SMTP listener on a free port, keeping every mail it receives (tests read confirmation codes from it). */
export async function startSmtpListener() {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** The code in the latest mail to `to` whose raw text matches `about`, e.g. a withdrawal's id. */
    lastCode(about?: string): string | null {
      for (const mail of [...received].reverse()) {
        if (about && !mail.raw.includes(about)) continue;
        const match = /confirmation code: (\d{8})/.exec(mail.raw);
        if (match) return match[1];
      }
      return null;
    },
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
