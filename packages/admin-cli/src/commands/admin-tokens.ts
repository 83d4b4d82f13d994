import { CREATE_ADMIN_TOKEN, REVOKE_ADMIN_TOKEN } from '../api/operations.js';
import type { AdminToken, RevokedAdminToken } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import { timestamp } from '../output/format.js';
import { fields, text, toned } from '../output/view.js';

/**
 * Creates a named admin token, so each admin and each CI job has its own (and the
 * bootstrap token can be retired). The token is printed once.
 */
export async function createAdminToken(ctx: CommandContext, options: { readonly name: string }): Promise<AdminToken> {
  const api = await ctx.api();
  return (await api.request(CREATE_ADMIN_TOKEN, { name: options.name })).createAdminToken;
}

export const adminTokenPresenter: Presenter<AdminToken> = {
  view: (r) => [
    fields([
      ['ID', r.adminToken.id],
      ['Name', r.adminToken.name],
      ['Created', timestamp(r.adminToken.createdAt)],
      ['Token', toned(r.token, 'accent')],
    ]),
    text('Store the token now: it is not shown again. Use it with: countersign login --token -', 'warn'),
  ],
};

/**
 * Revokes an admin token by id (as `create` printed it): it stops working at once, open
 * connections included. The token in use cannot revoke itself.
 */
export async function revokeAdminToken(ctx: CommandContext, id: string): Promise<RevokedAdminToken> {
  const api = await ctx.api();
  return (await api.request(REVOKE_ADMIN_TOKEN, { id })).revokeAdminToken;
}

export const revokedAdminTokenPresenter: Presenter<RevokedAdminToken> = {
  view: (r) => [
    fields([
      ['ID', r.id],
      ['Name', r.name],
      ['Created', timestamp(r.createdAt)],
      ['Revoked', r.revokedAt ? timestamp(r.revokedAt) : null],
    ]),
    text('The token no longer authenticates anyone.', 'warn'),
  ],
};
