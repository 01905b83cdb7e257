import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, expectNoUserErrors, gql, type UserErrors } from '../fixtures';

/**
 * A deliberately bad webhook endpoint, served by the spec. It refuses an event whose signature is older than five
 * minutes, but never checks the HMAC itself and never remembers an event id: a forged event and a retried one are
 * both fulfilled. It counts fulfilments per event id, as a shop's order table would.
 */
async function badWebhookEndpoint() {
  const fulfilled = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const signedAt = Number(/t=(\d+)/.exec(String(req.headers['x-tollgate-signature'] ?? ''))?.[1] ?? 0);
      if (Math.abs(Date.now() / 1000 - signedAt) > 300) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('stale');
        return;
      }
      let id = '';
      try {
        id = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown }).id ?? '');
      } catch {
        // Not JSON: nothing to fulfil.
      }
      fulfilled.set(id, (fulfilled.get(id) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    fulfilled,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('the merchant checks its webhook endpoint from the endpoint page, confirms what its system did, and sees both flags with the fix', async ({
  ownerPage: page,
}) => {
  const endpoint = await badWebhookEndpoint();
  try {
    const created = await gql<{ createWebhookEndpoint: UserErrors & { webhookEndpoint: { id: string } } }>(
      page.request,
      `mutation($input: CreateWebhookEndpointInput!) {
        createWebhookEndpoint(input: $input) { webhookEndpoint { id } userErrors { code field message } }
      }`,
      { input: { url: endpoint.url, eventTypes: ['payment.paid'] } },
    );
    expectNoUserErrors(created.createWebhookEndpoint);
    await page.goto(`/dashboard/webhooks/${created.createWebhookEndpoint.webhookEndpoint.id}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Webhook endpoint' })).toBeVisible();

    await page.getByRole('button', { name: 'Run endpoint check' }).click();
    const check = page.getByTestId('endpoint-check');
    // Every answer is recorded: 200 to the forged event and the retry, 400 to the stale one.
    await expect(check.getByRole('row').filter({ hasText: 'Bad signature' })).toContainText('HTTP 200');
    await expect(check.getByRole('row').filter({ hasText: 'The same callback again' })).toContainText('HTTP 200');
    await expect(check.getByRole('row').filter({ hasText: 'Stale callback' })).toContainText('HTTP 400');

    // The merchant looks in its system and answers how often each test event was fulfilled.
    const answers = page.getByRole('form', { name: 'What your system did' });
    const selects = answers.getByRole('combobox');
    await expect(selects).toHaveCount(5);
    for (const select of await selects.all()) {
      const label = await select.evaluate((element) => (element as HTMLSelectElement).labels?.[0]?.textContent ?? '');
      const id = /Event (evt_test_[\w-]+)/.exec(label)?.[1] ?? '';
      expect(id, `an event id in "${label}"`).not.toBe('');
      await select.selectOption(String(endpoint.fulfilled.get(id) ?? 0));
    }
    await answers.getByRole('button', { name: 'Show the report' }).click();

    const forged = page.getByTestId('finding-ACCEPTED_BAD_SIGNATURE');
    await expect(forged).toContainText('Critical');
    await expect(forged).toContainText('X-Tollgate-Signature');
    await expect(forged).toContainText('Fix: Compute HMAC-SHA256');
    const twice = page.getByTestId('finding-FULFILLED_TWICE');
    await expect(twice).toContainText('Critical');
    await expect(twice).toContainText('2 times');
    // It refused the stale event: that is not flagged.
    await expect(page.getByTestId('finding-ACCEPTED_STALE')).toHaveCount(0);
    await expect(page.getByTestId('endpoint-check-clean')).toHaveCount(0);

    // The run is stored with its report.
    await page.reload();
    await expect(page.getByTestId('finding-ACCEPTED_BAD_SIGNATURE')).toBeVisible();
    await expect(page.getByTestId('finding-FULFILLED_TWICE')).toBeVisible();
  } finally {
    await endpoint.close();
  }
});
