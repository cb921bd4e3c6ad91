#!/usr/bin/env node
// Parses Terraform files offline with @cdktf/hcl2json (HashiCorp's HCL parser compiled to WebAssembly; no terraform
// binary, no provider). Usage: node hcl2json.js TOOLS_DIR FILE.tf... → one JSON object on stdout:
//   { "<file>": { "ok": true, "json": {...} } | { "ok": false, "error": "..." } }
// Exit 0 even when a file fails to parse: the caller (tests/integration/Infra) reports which and why.
"use strict";
const path = require("path");
const fs = require("fs");
const [toolsDir, ...files] = process.argv.slice(2);
const { parse } = require(path.join(path.resolve(toolsDir), "node_modules", "@cdktf", "hcl2json"));

(async () => {
  const out = {};
  for (const file of files) {
    try {
      out[file] = { ok: true, json: await parse(path.basename(file), fs.readFileSync(file, "utf8")) };
    } catch (e) {
      out[file] = { ok: false, error: String(e && e.message ? e.message : e) };
    }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(2);
});
