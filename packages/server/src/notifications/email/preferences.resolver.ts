import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { PrincipalKind } from '../../shared/enums.js';
import { requireKind, requirePrincipal, type Context } from '../../graphql/context.js';
import { ApproverType } from '../../principals/principal.types.js';
import type { Approver } from '../../principals/approver.entity.js';
import { NotificationPreferencesInput, NotificationPreferencesType } from './preferences.types.js';
import { preferencesOf, updateMyNotifications } from './preferences.service.js';
import type { EmailPreferences } from './preferences.js';

function view(ctx: Context, prefs: EmailPreferences, email: string | null): NotificationPreferencesType {
  const config = ctx.services.config.email;
  return {
    emailAssigned: prefs.emailAssigned,
    emailEscalated: prefs.emailEscalated,
    emailAboutToExpire: prefs.emailAboutToExpire,
    emailDigest: prefs.emailDigest,
    digestHourUtc: prefs.digestHourUtc ?? config?.digestHourUtc ?? 8,
    email,
    emailEnabled: config !== null,
  };
}

@Resolver(() => ApproverType)
export class NotificationPreferencesResolver {
  @Authorized(PrincipalKind.APPROVER)
  @Mutation(() => NotificationPreferencesType, { description: 'Sets which notifications I get by email (approvers, for themselves). Fields left out stay as they are.' })
  async updateMyNotifications(@Ctx() ctx: Context, @Arg('input', () => NotificationPreferencesInput) input: NotificationPreferencesInput): Promise<NotificationPreferencesType> {
    const by = requireKind(ctx, PrincipalKind.APPROVER);
    const prefs = await updateMyNotifications(ctx.em, by, input);
    const approver = await ctx.loaders.approver.load(by.id);
    return view(ctx, prefs, approver?.email ?? null);
  }

  @FieldResolver(() => NotificationPreferencesType, { nullable: true, description: 'Which notifications they get by email: shown to admins and to the approver themself (null for anyone else).' })
  async notificationPreferences(@Root() approver: Approver, @Ctx() ctx: Context): Promise<NotificationPreferencesType | null> {
    const caller = requirePrincipal(ctx);
    if (caller.kind !== PrincipalKind.ADMIN && !(caller.kind === PrincipalKind.APPROVER && caller.id === approver.id)) return null;
    return view(ctx, await preferencesOf(ctx.em, approver.id), approver.email);
  }
}
