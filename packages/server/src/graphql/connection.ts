import { ObjectType, Field, Int, ClassType } from 'type-graphql';
import type { ConnectionShape, PageInfoShape } from '../db/paging.js';

@ObjectType({ description: 'Where a page ends, and whether another follows.' })
export class PageInfo implements PageInfoShape {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

/** Builds the `{nodes, pageInfo, totalCount}` connection type for a node type (DESIGN §4). */
export function Connection<T extends object>(node: ClassType<T>, name: string): ClassType<ConnectionShape<T>> {
  @ObjectType(name)
  class ConnectionClass implements ConnectionShape<T> {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many nodes match, across all pages.' })
    totalCount!: number;
  }
  return ConnectionClass;
}
