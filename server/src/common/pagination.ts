import { ClassType, Field, InputType, Int, ObjectType, ArgsType } from 'type-graphql';
import { graphqlError } from './errors';

export const MAX_PAGE = 100;

@ObjectType({ description: 'Where a page stands in its list (Relay cursor connections).' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ArgsType()
@InputType('PageArgsInput')
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `How many items, 1 to ${MAX_PAGE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds the GraphQL types `<Name>Connection` and `<Name>Edge` for a node type. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items, newest first.` })
  class ConnectionClass {
    @Field(() => [EdgeType])
    edges!: Edge<T>[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many items the whole list has.' })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** Validated page window: how many to fetch and the id to start after (cursors are opaque ids). */
export function pageWindow(args: PageArgs): { limit: number; afterId: string | null } {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw graphqlError('BAD_USER_INPUT', `first must be between 1 and ${MAX_PAGE}`);
  }
  let afterId: string | null = null;
  if (args.after) {
    afterId = Buffer.from(args.after, 'base64url').toString('utf8');
    if (!/^[a-z]+_[0-9a-z]{26}$/.test(afterId))
      throw graphqlError('BAD_USER_INPUT', 'after is not a cursor of this list');
  }
  return { limit: first, afterId };
}

export function cursorOf(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** Makes a connection from rows fetched with `limit + 1` (the extra row tells whether a next page exists). */
export function toConnection<T extends { id: string }>(
  rows: T[],
  limit: number,
  totalCount: number,
  hasPrevious: boolean,
): Connection<T> {
  const page = rows.slice(0, limit);
  const edges = page.map((node) => ({ cursor: cursorOf(node.id), node }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
