import { registerEnumType } from 'type-graphql';

/** Roles a merchant's team may have; ADMIN is the platform's and is never granted here. Values only grow. */
export enum TeamRole {
  OWNER = 'OWNER',
  STAFF = 'STAFF',
  READ_ONLY = 'READ_ONLY',
}
registerEnumType(TeamRole, {
  name: 'TeamRole',
  description:
    'OWNER manages the team, keys and settings; STAFF works with payments; READ_ONLY sees everything and changes ' +
    'nothing. Values only grow.',
});
