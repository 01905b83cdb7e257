import type { EntityManager } from '@mikro-orm/core';

/**
 * Invariant I6 (shared/notes/invariants.md): an access code is admitted at most its allowed uses, never after it
 * expires. As queries over the codes and the recorded attempts (flush the recorder first); returns what is broken.
 */
export async function checkAccessCodeInvariants(em: EntityManager): Promise<string[]> {
  const connection = em.getConnection();
  const violations: string[] = [];
  const counters = (await connection.execute(
    `select id from access_code
      where max_uses is not null and (uses > max_uses or uses_left < 0 or uses_left + uses <> max_uses)`,
  )) as { id: string }[];
  for (const row of counters) violations.push(`I6: code ${row.id} counted more uses than it allows`);
  const admitted = (await connection.execute(
    `select c.id as id from access_code c
       join access_code_check k on k.code_id = c.id and k.result = 'PAID'
      where c.max_uses is not null
      group by c.id, c.max_uses
     having sum(k.count) > c.max_uses`,
  )) as { id: string }[];
  for (const row of admitted) violations.push(`I6: code ${row.id} admitted more checks than its uses`);
  const late = (await connection.execute(
    `select distinct c.id as id from access_code c
       join access_code_check k on k.code_id = c.id and k.result = 'PAID'
      where c.expires_at is not null and k.checked_at >= c.expires_at`,
  )) as { id: string }[];
  for (const row of late) violations.push(`I6: code ${row.id} admitted a check after it expired`);
  return violations;
}
