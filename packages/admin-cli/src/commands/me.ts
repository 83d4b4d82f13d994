import { ME } from '../api/operations.js';
import type { Principal } from '../api/types.js';
import type { CommandContext, Presenter } from '../command.js';
import type { Source } from '../config/connection.js';
import { list } from '../output/format.js';
import { fields } from '../output/view.js';

export interface MeResult {
  readonly principal: Principal;
  readonly url: string;
  readonly profile: string;
  readonly sources: { readonly url: Source; readonly token: Source | undefined };
}

/** Who the token belongs to, and where the connection settings came from (`gh auth status`). */
export async function me(ctx: CommandContext): Promise<MeResult> {
  const connection = await ctx.connection();
  const api = await ctx.api();
  const { me } = await api.request(ME, {});
  return { principal: me, url: connection.url, profile: connection.profile, sources: connection.sources };
}

const SOURCE_NAMES: Record<Source, string> = { flag: 'command line', env: 'environment', profile: 'saved profile', default: 'default' };

export const mePresenter: Presenter<MeResult> = {
  view: (r) => [
    fields([
      ['Name', r.principal.name],
      ['Kind', r.principal.kind],
      ['ID', r.principal.id ?? '(bootstrap token)'],
      ['Roles', r.principal.kind === 'APPROVER' ? list(r.principal.roles, '(none)') : undefined],
      ['Server', `${r.url} (from ${SOURCE_NAMES[r.sources.url]}${r.sources.url === 'profile' ? ` "${r.profile}"` : ''})`],
      ['Token', r.sources.token ? `from ${SOURCE_NAMES[r.sources.token]}${r.sources.token === 'profile' ? ` "${r.profile}"` : ''}` : undefined],
    ]),
  ],
};
