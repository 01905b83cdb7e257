import { TeamResolver } from './team.resolver';

export const entities = [] as const;
export const resolvers = [TeamResolver] as const;
