#!/usr/bin/env node
// The MCP server of hitl: stdio by default, `--http <port>` for Streamable HTTP.
require('../dist/main.js')
  .run()
  .catch((error) => {
    process.stderr.write(`hitl-mcp: ${error.message}\n`);
    process.exit(1);
  });
