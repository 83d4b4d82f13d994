import type { ActionInput, Operation } from '@countersign/sdk';
import type { ServerConfig, ToolMapping } from '../config/schema.js';

/** The parts of an upstream tool's definition that describe its calls. */
export interface ToolDescription {
  name: string;
  title?: string;
  annotations?: {
    title?: string;
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    openWorldHint?: boolean;
  };
}

/** Who is calling: the MCP client's own name from its `initialize` request. */
export interface CallOrigin {
  clientName: string | undefined;
  clientVersion?: string | undefined;
}

/** The longest summary an approver reads in a queue line. */
const SUMMARY_LIMIT = 200;

/**
 * What a tool's annotations say about its calls. Only hints the server stated count:
 * an absent `destructiveHint` does not make a tool DELETE (the MCP default would, which
 * would send every unannotated tool to a person).
 */
export function mappingFromAnnotations(server: string, tool: ToolDescription): ToolMapping {
  const hints = tool.annotations ?? {};
  const mapping: ToolMapping = {};
  if (hints.readOnlyHint === true) mapping.operation = 'READ';
  else if (hints.destructiveHint === true) mapping.operation = 'DELETE';
  else if (hints.readOnlyHint === false && hints.destructiveHint === false) mapping.operation = 'WRITE';
  if (hints.openWorldHint === true) mapping.destination = { system: server, external: true };
  return mapping;
}

/**
 * The action request for one call of `tool` on `server`: the tool's own entry in the
 * config first, then its annotations (unless the server's `trustAnnotations` is false),
 * then the server's `default`, then EXECUTE of `<server>.<tool>`. The payload is the
 * call's arguments; the context names the server, the tool and the client.
 */
export function actionForCall(server: string, serverConfig: ServerConfig, tool: ToolDescription, args: Record<string, unknown>, origin: CallOrigin): ActionInput<Record<string, unknown>> {
  const configured = serverConfig.tools[tool.name] ?? {};
  const annotated = serverConfig.trustAnnotations ? mappingFromAnnotations(server, tool) : {};
  const fallback: ToolMapping = serverConfig.default;
  const pick = <K extends keyof ToolMapping>(key: K): ToolMapping[K] => configured[key] ?? annotated[key] ?? fallback[key];

  const operation: Operation = pick('operation') ?? 'EXECUTE';
  const destination = pick('destination');
  const dataClassification = pick('dataClassification');
  const dataCategories = pick('dataCategories');
  const input: ActionInput<Record<string, unknown>> = {
    type: configured.type ?? `${server}.${tool.name}`,
    operation,
    summary: pick('summary') ?? defaultSummary(server, tool, args),
    payload: args,
    context: {
      mcp: {
        server,
        tool: tool.name,
        client: origin.clientName ?? null,
        ...(origin.clientVersion ? { clientVersion: origin.clientVersion } : {}),
      },
    },
  };
  if (destination) input.destination = { system: destination.system, external: destination.external };
  if (dataClassification) input.dataClassification = dataClassification;
  if (dataCategories) input.dataCategories = dataCategories;
  return input;
}

/** `files: write_file {"path":"/srv/a.txt",…}`, cut to what a queue line shows. */
export function defaultSummary(server: string, tool: ToolDescription, args: Record<string, unknown>): string {
  // The tool's name, not its title: the name is what the model called and what the config lists.
  const head = `${server}: ${tool.name}`;
  let json: string;
  try {
    json = JSON.stringify(args) ?? '';
  } catch {
    json = '';
  }
  const text = json === '{}' || json === '' ? head : `${head} ${json}`;
  return text.length <= SUMMARY_LIMIT ? text : `${text.slice(0, SUMMARY_LIMIT - 1)}…`;
}
