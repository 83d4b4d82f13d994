import { toMilliseconds, type Duration } from '@countersign/sdk';
import { z } from 'zod';

const OPERATIONS = ['READ', 'WRITE', 'DELETE', 'EXECUTE'] as const;
const CLASSIFICATIONS = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'] as const;

/** A duration as the rest of Countersign writes them: `30s`, `15m`, `2h`, or seconds. */
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return toMilliseconds((typeof value === "number" ? `${value}s` : value) as Duration, "duration");
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (e.g. 30s, 10m, 2h, or a number of seconds)` });
    return z.NEVER;
  }
});

/**
 * How calls of one tool are described to Countersign. Every field is optional: what is not
 * set here comes from the tool's annotations, then from the server's `default`.
 */
export const toolMappingSchema = z
  .object({
    type: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dotted name such as files.write').optional(),
    operation: z.enum(OPERATIONS).optional(),
    summary: z.string().min(1).max(500).optional(),
    dataClassification: z.enum(CLASSIFICATIONS).optional(),
    dataCategories: z.array(z.string().min(1)).optional(),
    destination: z.object({ system: z.string().min(1), external: z.boolean().default(false) }).strict().optional(),
  })
  .strict();

const stringMap = z.record(z.string(), z.string());

/** Server names become tool-name prefixes (`<server>__<tool>`), so `__` cannot be in them. */
const serverName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, "-" and "_" only, starting with a letter or digit')
  .refine((name) => !name.includes('__') && !name.endsWith('_'), 'must not contain "__" (it separates server and tool in tool names) or end with "_"');

export const serverSchema = z
  .object({
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: stringMap.optional(),
    cwd: z.string().optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    headers: stringMap.optional(),
    tools: z.record(z.string(), toolMappingSchema).default({}),
    default: toolMappingSchema.omit({ type: true }).default({}),
    /** Whether the tools' own annotations (readOnlyHint…) may describe their calls. */
    trustAnnotations: z.boolean().default(true),
  })
  .strict()
  .superRefine((server, ctx) => {
    if (!server.command === !server.url) {
      ctx.addIssue({ code: 'custom', message: 'give either `command` (a stdio server) or `url` (a Streamable HTTP server), not both or neither' });
    }
    if (server.url && (server.env || server.cwd || server.args.length > 0)) {
      ctx.addIssue({ code: 'custom', message: '`args`, `env` and `cwd` are for stdio servers (`command`); an HTTP server takes `headers`' });
    }
    if (server.command && server.headers) {
      ctx.addIssue({ code: 'custom', message: '`headers` are for HTTP servers (`url`); a stdio server takes `env`' });
    }
  });

export const gatewayConfigSchema = z
  .object({
    countersign: z.object({ url: z.url({ protocol: /^https?$/ }).optional() }).strict().default({}),
    /** How long a call waits for a person before it answers with an error naming the request. */
    approvalTimeout: duration.default(10 * 60_000),
    /** How often a waiting call sends a progress notification (when the client asked for them). */
    progressInterval: duration.default(5_000),
    servers: z.record(serverName, serverSchema).refine((servers) => Object.keys(servers).length > 0, 'name at least one server'),
  })
  .strict();

export type ToolMapping = z.infer<typeof toolMappingSchema>;
export type ServerConfig = z.infer<typeof serverSchema>;
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
