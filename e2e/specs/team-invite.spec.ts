import { generate } from 'otplib';
import { test, expect, unique } from '../fixtures';
import { mailTo } from '../fixtures/mail';

/** The invitation link in the latest mail to `to`, waiting for the outbox to send it. */
async function invitationLink(to: string): Promise<string> {
  let link: string | null = null;
  await expect
    .poll(
      async () => {
        const mails = await mailTo(to);
        link = /(https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+)/.exec(mails.at(-1)?.text ?? '')?.[1] ?? null;
        return link;
      },
      { message: `an invitation mailed to ${to}`, timeout: 30_000 },
    )
    .not.toBeNull();
  return link as unknown as string;
}

test('an invitee joins from the mailed link, loses write actions when made read-only, and enrols TOTP', async ({
  ownerPage: owner,
  browser,
}) => {
  const email = `ivy-${unique()}@example.test`;
  const name = `Ivy ${unique()}`;
  await owner.goto('/dashboard/team');
  const invite = owner.getByRole('form', { name: 'Invite' });
  await invite.getByLabel('Email').fill(email);
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await expect(invite.getByRole('status')).toContainText(email);

  // The invitee, in a browser of their own, opens the link from the mail.
  const link = await invitationLink(email);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1, name: 'Join Demo Shop' })).toBeVisible();
  const join = page.getByRole('form', { name: 'Join the team' });
  await expect(join.getByLabel('Email')).toHaveValue(email);
  await join.getByLabel('Your name').fill(name);
  await join.getByLabel('Password').fill('invitee-password-1');
  await join.getByRole('button', { name: 'Join and log in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('button', { name })).toBeVisible();

  // The link worked once.
  await page.goto(link);
  await expect(page.getByText('This invitation was already used.')).toBeVisible();

  // As staff, they may create API keys.
  await page.goto('/dashboard/api-keys');
  await expect(page.getByRole('form', { name: 'Create API key' })).toBeVisible();

  // The owner makes them read-only: the write actions disappear from their pages.
  await owner.reload();
  await owner.getByRole('combobox', { name: `Role of ${name}` }).selectOption('READ_ONLY');
  await expect(owner.getByRole('combobox', { name: `Role of ${name}` })).toHaveValue('READ_ONLY');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'API keys' })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Create API key' })).toBeHidden();

  // Their own login stays theirs to secure: they enrol TOTP, then log in with a code otplib computes.
  await page.goto('/dashboard/team');
  await page.getByRole('button', { name: 'Set up two-factor login' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!;
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const confirm = page.getByRole('form', { name: 'Confirm code' });
  await confirm.getByLabel('Code from your authenticator app').fill(await generate({ secret }));
  await confirm.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);
  await page.getByRole('button', { name: 'I saved them' }).click();
  await expect(page.getByText('Two-factor login is on')).toBeVisible();

  await page.getByRole('button', { name }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  const login = page.getByRole('form', { name: 'Log in' });
  await login.getByLabel('Email').fill(email);
  await login.getByLabel('Password').fill('invitee-password-1');
  await login.getByRole('button', { name: 'Log in' }).click();
  const code = page.getByRole('form', { name: 'Enter code' });
  // The step after the one used to enrol: each code is taken once.
  await code.getByLabel('Code').fill(await generate({ secret, epoch: Math.floor(Date.now() / 30_000 + 1) * 30 }));
  await code.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('button', { name })).toBeVisible();
  await context.close();
});
