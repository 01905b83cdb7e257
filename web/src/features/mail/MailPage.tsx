import { useCallback, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { QueryView } from '../../app/components/QueryView';
import type { MailMessagesQuery } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Card, Page } from '../../app/components/Page';
import { Pager, usePaging } from '../../app/components/Pager';
import { Time } from '../../app/components/Time';

const MailMessagesDocument = graphql(`
  query MailMessages($first: Int, $after: String, $to: String) {
    mailMessages(first: $first, after: $after, to: $to) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          createdAt
          from
          to
          subject
          text
          html
          sent
          outboxMessageId
        }
      }
    }
  }
`);

type Mail = MailMessagesQuery['mailMessages']['edges'][number]['node'];

/** One email: plain text by default; HTML only inside a sandboxed frame (no scripts, no same-origin access). */
function MailView({ mail, onClose }: { mail: Mail; onClose: () => void }) {
  const [view, setView] = useState<'text' | 'html'>('text');
  return (
    <Card
      title={mail.subject}
      actions={
        <button type="button" className="button button--small" onClick={onClose}>
          Close
        </button>
      }
    >
      <dl className="facts">
        <dt>From</dt>
        <dd>{mail.from}</dd>
        <dt>To</dt>
        <dd>{mail.to}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={mail.createdAt} />
        </dd>
        <dt>Outbox</dt>
        <dd>
          <code>{mail.outboxMessageId}</code>
        </dd>
      </dl>
      {mail.html && (
        <div className="segmented" role="tablist" aria-label="Body">
          <button type="button" role="tab" aria-selected={view === 'text'} onClick={() => setView('text')}>
            Text
          </button>
          <button type="button" role="tab" aria-selected={view === 'html'} onClick={() => setView('html')}>
            HTML
          </button>
        </div>
      )}
      {view === 'html' && mail.html ? (
        <iframe className="mail-frame" title={`HTML of “${mail.subject}”`} sandbox="" srcDoc={mail.html} />
      ) : (
        <pre className="mail-text">{mail.text}</pre>
      )}
    </Card>
  );
}

/** Mail the server sent, kept in development and test so sign-up links and receipts can be read here. */
export function MailPage() {
  const paging = usePaging();
  const [draft, setDraft] = useState('');
  const [to, setTo] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const [query, refetch] = useQuery({
    query: MailMessagesDocument,
    variables: { first: paging.first, after: paging.after, to: to || null },
  });
  const { data, error } = query;
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const rows = data?.mailMessages.edges.map((edge) => edge.node) ?? [];
  const open = rows.find((mail) => mail.id === openId);
  const notAvailable = error?.graphQLErrors.some((e) => e.extensions?.code === 'NOT_AVAILABLE');

  const filter = (event: FormEvent) => {
    event.preventDefault();
    paging.reset();
    setTo(draft.trim());
  };

  return (
    <Page title="Mail" description="Emails the server sent. Kept in development and test only.">
      {open && <MailView mail={open} onClose={() => setOpenId(null)} />}
      <Card>
        <form className="toolbar" onSubmit={filter} role="search" aria-label="Filter mail">
          <label className="toolbar__field">
            <span>Recipient</span>
            <input
              type="email"
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              placeholder="someone@example.com"
            />
          </label>
          <button type="submit" className="button button--small">
            Filter
          </button>
          <button type="button" className="button button--small button--quiet" onClick={refresh}>
            Refresh
          </button>
        </form>
        {notAvailable ? (
          <div className="state state--empty">Sent mail is not kept on this server (production mode).</div>
        ) : (
          <QueryView query={query} refetch={refetch}>
            {(data) => (
              <>
                <DataTable<Mail>
                  caption="Mail"
                  rows={rows}
                  rowKey={(mail) => mail.id}
                  rowClassName={(mail) => (mail.id === openId ? 'row--selected' : undefined)}
                  empty={to ? `No mail to ${to}.` : 'No mail sent yet.'}
                  columns={[
                    { header: 'Created', render: (mail) => <Time value={mail.createdAt} />, className: 'nowrap' },
                    { header: 'To', render: (mail) => mail.to },
                    {
                      header: 'Subject',
                      render: (mail) => (
                        <button type="button" className="link-button" onClick={() => setOpenId(mail.id)}>
                          {mail.subject}
                        </button>
                      ),
                    },
                    {
                      header: 'SMTP',
                      render: (mail) => (mail.sent ? <Badge tone="good">sent</Badge> : <Badge>kept here</Badge>),
                    },
                  ]}
                />
                <Pager
                  paging={paging}
                  pageInfo={data.mailMessages.pageInfo}
                  totalCount={data.mailMessages.totalCount}
                  shown={data.mailMessages.edges.length}
                />
              </>
            )}
          </QueryView>
        )}
      </Card>
    </Page>
  );
}
