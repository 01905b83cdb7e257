import { test, expect, unique } from '../fixtures';

test('an owner invites a member by email and revokes the invitation', async ({ ownerPage: page }) => {
  const email = `invitee-${unique()}@example.test`;
  await page.goto('/dashboard/team');
  const form = page.getByRole('form', { name: 'Invite' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption('READ_ONLY');
  await form.getByRole('button', { name: 'Send invitation' }).click();
  await expect(form.getByRole('status')).toContainText(email);

  const row = page.getByRole('table', { name: 'Pending invitations' }).getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Read-only');
  await expect(row).toContainText('pending');
  await row.getByRole('button', { name: `Revoke invitation to ${email}` }).click();
  await row.getByRole('button', { name: 'Confirm revoke' }).click();
  await expect(row).toHaveCount(0);
});

test('a bad email is refused beside its field', async ({ ownerPage: page }) => {
  await page.goto('/dashboard/team');
  const form = page.getByRole('form', { name: 'Invite' });
  await form.getByLabel('Email').fill('not-an-email');
  await form.getByRole('button', { name: 'Send invitation' }).click();
  await expect(form.locator('.field', { has: page.getByLabel('Email') }).getByRole('alert')).toContainText(
    'valid email',
  );
});
