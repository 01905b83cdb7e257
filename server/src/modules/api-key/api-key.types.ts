import { ArgsType, Field, ID, InputType } from 'type-graphql';
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

export const CreateApiKeyPayload = PayloadType(() => ApiKey, 'CreateApiKey', {
  field: 'apiKey',
  secret: 'The key itself, shown this once. Send it as `Authorization: Bearer <key>`.',
});
export type CreateApiKeyPayload = InstanceType<typeof CreateApiKeyPayload>;

export const RevokeApiKeyPayload = PayloadType(() => ApiKey, 'RevokeApiKey', { field: 'apiKey' });
export type RevokeApiKeyPayload = InstanceType<typeof RevokeApiKeyPayload>;
