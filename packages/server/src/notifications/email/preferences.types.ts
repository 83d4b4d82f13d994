import { Field, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('NotificationPreferences', { description: 'Which notifications an approver gets by email (DESIGN §14). Everything is on until they choose.' })
export class NotificationPreferencesType {
  @Field(() => Boolean, { description: 'A mail when a request waits for my approval (reviews come in the digest).' }) emailAssigned!: boolean;
  @Field(() => Boolean, { description: 'A mail when a request escalates to me because the previous level did not decide in time.' }) emailEscalated!: boolean;
  @Field(() => Boolean, { description: 'A mail when a request waiting for me is about to time out.' }) emailAboutToExpire!: boolean;
  @Field(() => Boolean, { description: 'A daily mail listing my review queue (only when it holds anything).' }) emailDigest!: boolean;
  @Field(() => Int, { description: 'The hour (UTC, 0–23) of the daily digest: my choice, or the server\'s (COUNTERSIGN_DIGEST_HOUR).' }) digestHourUtc!: number;
  @Field(() => String, { nullable: true, description: 'Where the mail goes (the approver\'s email; an admin sets it). Null: no mail.' }) email!: string | null;
  @Field(() => Boolean, { description: 'Whether this server sends mail at all (COUNTERSIGN_SMTP_URL is set).' }) emailEnabled!: boolean;
}

@InputType('NotificationPreferencesInput', { description: 'Fields left out stay as they are.' })
export class NotificationPreferencesInput {
  @Field(() => Boolean, { nullable: true }) emailAssigned?: boolean | null;
  @Field(() => Boolean, { nullable: true }) emailEscalated?: boolean | null;
  @Field(() => Boolean, { nullable: true }) emailAboutToExpire?: boolean | null;
  @Field(() => Boolean, { nullable: true }) emailDigest?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'The hour (UTC, 0–23) of the daily digest.' }) digestHourUtc?: number | null;
}
