import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '../../common/ids';

/** A copy of an outgoing email, kept in development and test only, so people and tests can read what was sent. */
@Entity({ tableName: 'mail_message' })
@ObjectType({ description: 'An email the server sent (development and test only).' })
export class MailMessage {
  @PrimaryKey({ type: 'string', length: 40 })
  @Field(() => ID, { description: "The kept copy's id." })
  id: string = newId('mail');

  /** One copy per outbox message, however many attempts it took. */
  @Property({ type: 'string', length: 40, unique: true })
  @Field(() => ID, { description: 'The outbox message that carried it.' })
  outboxMessageId!: string;

  @Property({ type: 'string', length: 320 })
  @Field(() => String, { description: 'The recipient address.' })
  to!: string;

  @Property({ type: 'string', length: 320 })
  @Field(() => String, { description: 'The sender, from MAIL_FROM.' })
  from!: string;

  @Property({ type: 'string', length: 300 })
  @Field(() => String, { description: 'The subject line.' })
  subject!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'The plain-text body.' })
  text!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The HTML body, if any.' })
  html: string | null = null;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Whether it went out through SMTP; false when SMTP_URL is unset.' })
  sent!: boolean;

  @Property({ type: 'datetime' })
  @Field(() => Date, { description: 'When it was handed to SMTP (or kept).' })
  createdAt: Date = new Date();
}
