import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, expectNoUserErrors, gql, unique, type UserErrors } from '../fixtures';

/**
 * A deliberately bad Result URL, served by the spec: it answers 200 to anything and fulfils every callback it gets
 * (no signature check, no de-duplication), keeping count per s_inv as a shop's order table would.
 */
async function badEndpoint() {
  const fulfilled = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const inv = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('s_inv') ?? '';
      fulfilled.set(inv, (fulfilled.get(inv) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fulfilled,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('the merchant checks its Result URL from the purse page, confirms what its shop did, and sees both flags with the fix', async ({
  ownerPage: page,
}) => {
  const endpoint = await badEndpoint();
  try {
    const created = await gql<{ createPurse: UserErrors & { purse: { id: string } } }>(
      page.request,
      `mutation($input: CreatePurseInput!) { createPurse(input: $input) { purse { id } userErrors { code field message } } }`,
      {
        input: {
          name: `Checked shop ${unique()}`,
          resultUrl: `${endpoint.url}/result`,
          successUrl: `${endpoint.url}/success`,
          failUrl: `${endpoint.url}/fail`,
        },
      },
    );
    expectNoUserErrors(created.createPurse);
    await page.goto(`/dashboard/purses/${created.createPurse.purse.id}`);

    await page.getByRole('button', { name: 'Run endpoint check' }).click();
    const check = page.getByTestId('endpoint-check');
    // Every answer is recorded: the bad endpoint said 200 even to the forged callback.
    const forgedRow = check.getByRole('row').filter({ hasText: 'Bad signature' });
    await expect(forgedRow).toContainText('HTTP 200');
    await expect(check.getByRole('row').filter({ hasText: 'The same callback again' })).toContainText('HTTP 200');

    // The merchant looks in its shop and answers how often each test operation was fulfilled.
    const answers = page.getByRole('form', { name: 'What your system did' });
    const selects = answers.getByRole('combobox');
    await expect(selects).toHaveCount(4);
    for (const select of await selects.all()) {
      const label = await select.evaluate((element) => (element as HTMLSelectElement).labels?.[0]?.textContent ?? '');
      const inv = /s_inv (\d+)/.exec(label)?.[1] ?? '';
      await select.selectOption(String(endpoint.fulfilled.get(inv) ?? 0));
    }
    await answers.getByRole('button', { name: 'Show the report' }).click();

    const forged = page.getByTestId('finding-ACCEPTED_BAD_SIGNATURE');
    await expect(forged).toContainText('Critical');
    await expect(forged).toContainText('s_sign_v2 was wrong');
    await expect(forged).toContainText('Fix: Compute MD5(secret_code::s_purse');
    const twice = page.getByTestId('finding-FULFILLED_TWICE');
    await expect(twice).toContainText('Critical');
    await expect(twice).toContainText('2 times');
    await expect(page.getByTestId('endpoint-check-clean')).toHaveCount(0);

    // The run is stored with its report.
    await page.reload();
    await expect(page.getByTestId('finding-FULFILLED_TWICE')).toBeVisible();
  } finally {
    await endpoint.close();
  }
});
