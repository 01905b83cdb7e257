import type { GraphQLScalarType } from 'graphql';
import { ClassType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from './errors';

/** The TypeScript value of a GraphQL type named in a decorator (`String`, `ID`, an object type class…). */
type ValueOf<R> = R extends StringConstructor
  ? string
  : R extends BooleanConstructor
    ? boolean
    : R extends NumberConstructor
      ? number
      : R extends GraphQLScalarType<infer V>
        ? V
        : R extends ClassType<infer I>
          ? I
          : never;

export interface PayloadOptions<K extends string> {
  /** Name of the result field, e.g. "purse". */
  field: K;
  /** Description of the payload type. */
  description?: string;
  /** Description of the result field. */
  fieldDescription?: string;
  /** False for a result that is always there (e.g. a Boolean saying what happened); nullable by default. */
  nullable?: boolean;
  /** Description of `userErrors`. */
  userErrorsDescription?: string;
  /** Adds `secret: String` (nullable) with this description, for payloads that show a secret once. */
  secret?: string;
  /**
   * For payloads that carry more than one result: the class is only a base to extend, named `<Name>PayloadBase`
   * (never in the schema), and the subclass declares `@ObjectType('<Name>Payload')` and its other fields.
   */
  extended?: boolean;
}

export type Payload<K extends string, T> = { [P in K]: T | null } & { userErrors: UserError[] };

/**
 * Builds the mutation payload type `<Name>Payload`: the result field (nullable, null when the input was refused)
 * and `userErrors: [UserError!]!`, e.g. `PayloadType(() => Purse, 'UpdatePurse', { field: 'purse' })`.
 */
export function PayloadType<R, K extends string>(
  result: () => R,
  name: string,
  options: PayloadOptions<K> & { secret: string },
): ClassType<Payload<K, ValueOf<R>> & { secret: string | null }>;
export function PayloadType<R, K extends string>(
  result: () => R,
  name: string,
  options: PayloadOptions<K>,
): ClassType<Payload<K, ValueOf<R>>>;
export function PayloadType<R, K extends string>(
  result: () => R,
  name: string,
  options: PayloadOptions<K>,
): ClassType<Payload<K, ValueOf<R>>> {
  class PayloadClass {
    userErrors!: UserError[];
  }
  Field(result as () => ClassType, { nullable: options.nullable ?? true, description: options.fieldDescription })(
    PayloadClass.prototype,
    options.field,
  );
  if (options.secret !== undefined) {
    Field(() => String, { nullable: true, description: options.secret })(PayloadClass.prototype, 'secret');
  }
  Field(() => [UserError], { description: options.userErrorsDescription })(PayloadClass.prototype, 'userErrors');
  ObjectType(options.extended ? `${name}PayloadBase` : `${name}Payload`, { description: options.description })(
    PayloadClass,
  );
  return PayloadClass as ClassType<Payload<K, ValueOf<R>>>;
}

@InputType({ description: 'Names one object by its id.' })
export class IdInput {
  @Field(() => ID)
  id!: string;
}
