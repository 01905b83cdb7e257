import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { ApiKey } from './api-key.entity';

export const ApiKeyConnection = ConnectionType(ApiKey, 'ApiKey');

@ArgsType()
export class ApiKeysArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  merchantId?: string | null;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String, { description: 'What the key is for, up to 100 characters.' })
  name!: string;

  @Field(() => [String], { description: '"read" and optionally "write".', defaultValue: ['read'] })
  scopes!: string[];

  @Field(() => ID, { nullable: true, description: 'For admins and partners: the merchant the key acts for.' })
  merchantId?: string | null;
}

@ObjectType('CreateApiKeyPayload')
export class CreateApiKeyPayload extends PayloadType(() => ApiKey, 'CreateApiKey', {
  field: 'apiKey',
  extended: true,
}) {
  @Field(() => String, {
    nullable: true,
    description: 'The key itself, shown this once. Send it as `Authorization: Bearer <key>`.',
  })
  secret!: string | null;
}

export const RevokeApiKeyPayload = PayloadType(() => ApiKey, 'RevokeApiKey', { field: 'apiKey' });
export type RevokeApiKeyPayload = InstanceType<typeof RevokeApiKeyPayload>;
