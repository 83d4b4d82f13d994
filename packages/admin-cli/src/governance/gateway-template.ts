/**
 * The sample MCP gateway config `countersign init --mcp` writes beside the governance
 * document (DESIGN §13): the filesystem server behind Countersign, its writes held for a
 * person, its reads let through by their annotations.
 */
export const GATEWAY_TEMPLATE = `# countersign-mcp: every tool call of an MCP client goes through Countersign first.
# Run:   COUNTERSIGN_API_KEY=<an agent's key> countersign-mcp --config gateway.yaml
# Pin:   countersign-mcp lock --config gateway.yaml   (a changed tool is then hidden)
countersign: { url: http://127.0.0.1:4000/graphql }
approvalTimeout: 10m          # how long a call waits for a person before it gives up
servers:
  files:                      # tools are listed as files__<tool>
    command: npx
    args: [-y, "@modelcontextprotocol/server-filesystem", ./shared]
    tools:
      write_file: { type: files.write, operation: WRITE, dataClassification: CONFIDENTIAL }
      edit_file: { type: files.write, operation: WRITE, dataClassification: CONFIDENTIAL }
      move_file: { type: files.move, operation: DELETE, dataClassification: CONFIDENTIAL }
    # Tools not listed: their annotations decide (readOnlyHint → READ, destructiveHint →
    # DELETE, openWorldHint → external destination), then this default; type is files.<tool>.
    default: { operation: EXECUTE }
`;
