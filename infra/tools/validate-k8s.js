#!/usr/bin/env node
// Validates Kubernetes manifests offline against Kubernetes' own OpenAPI schemas, as packaged by kubernetes-models
// (its generated classes carry the schema of each apiVersion/kind; validate() runs it). No cluster, no network.
// Usage: node validate-k8s.js TOOLS_DIR FILE.yaml... → one JSON object on stdout:
//   { "<file>": [ { "apiVersion", "kind", "name", "ok", "error"?, "doc" } ... ] | { "parseError": "..." } }
"use strict";
const path = require("path");
const fs = require("fs");
const [toolsDir, ...files] = process.argv.slice(2);
const modules = path.join(path.resolve(toolsDir), "node_modules");
const YAML = require(path.join(modules, "yaml"));

function modelFor(apiVersion, kind) {
  // "v1" → kubernetes-models/v1; "apps/v1" → kubernetes-models/apps/v1; "rbac.authorization.k8s.io/v1" → same path.
  const group = String(apiVersion || "");
  if (!group || !kind || group.includes("..")) return null;
  let mod;
  try {
    mod = require(path.join(modules, "kubernetes-models", group));
  } catch {
    return null;
  }
  return mod[kind] || null;
}

// kubernetes-models' schemas allow unknown fields (as the API server does without strict field validation), so a
// typo such as "imagePullPolcy" would pass. Strict check: run the kind's compiled schema over a proxy of the document,
// record which properties the schema reads, and report every property of a visited object that it never read.
function schemaValidatorFor(apiVersion, kind) {
  const [group, version] = String(apiVersion).includes("/") ? String(apiVersion).split("/") : ["core", apiVersion];
  const cap = (x) => x.charAt(0).toUpperCase() + x.slice(1);
  const name = `IoK8sApi${cap(group.split(".")[0])}${cap(version)}${kind}`;
  try {
    return require(path.join(modules, "kubernetes-models", "_schemas", name)).validate;
  } catch {
    return null;
  }
}

function unknownFields(validate, doc) {
  const seen = new WeakMap(); // target object → Set of keys read
  const proxies = new WeakMap();
  const wrap = (v) => {
    if (v === null || typeof v !== "object") return v;
    if (proxies.has(v)) return proxies.get(v);
    if (!seen.has(v)) seen.set(v, new Set());
    const p = new Proxy(v, {
      get(t, k, r) {
        if (typeof k === "string") seen.get(t).add(k);
        return wrap(Reflect.get(t, k, r));
      },
      has(t, k) {
        if (typeof k === "string") seen.get(t).add(k);
        return Reflect.has(t, k);
      },
    });
    proxies.set(v, p);
    return p;
  };
  const visited = new WeakSet();
  const mark = (v) => {
    // objects the validator dereferenced at least once
    if (v && typeof v === "object" && seen.has(v) && seen.get(v).size > 0) visited.add(v);
  };
  validate(wrap(doc));
  const found = [];
  const walk = (v, at) => {
    if (v === null || typeof v !== "object") return;
    mark(v);
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${at}/${i}`));
    if (visited.has(v)) {
      for (const k of Object.keys(v)) if (!seen.get(v).has(k)) found.push(`${at}/${k}`);
    }
    for (const k of Object.keys(v)) walk(v[k], `${at}/${k}`);
  };
  walk(doc, "");
  return found;
}

const out = {};
for (const file of files) {
  let docs;
  try {
    docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  } catch (e) {
    out[file] = { parseError: String(e.message || e) };
    continue;
  }
  const results = [];
  for (const d of docs) {
    if (d.errors && d.errors.length) {
      results.push({ ok: false, error: "YAML: " + d.errors.map((e) => e.message).join("; ") });
      continue;
    }
    const doc = d.toJS();
    if (doc === null || doc === undefined) continue;
    const Model = modelFor(doc.apiVersion, doc.kind);
    const r = { apiVersion: doc.apiVersion, kind: doc.kind, name: doc.metadata && doc.metadata.name, ok: false, doc };
    if (!Model) {
      r.error = `no Kubernetes schema for apiVersion '${doc.apiVersion}' kind '${doc.kind}'`;
    } else {
      try {
        new Model(doc).validate();
        const strict = schemaValidatorFor(doc.apiVersion, doc.kind);
        const unknown = strict ? unknownFields(strict, JSON.parse(JSON.stringify(doc))) : [];
        if (!strict) r.error = `no compiled schema found for the strict check of ${doc.apiVersion} ${doc.kind}`;
        else if (unknown.length) r.error = `unknown field(s): ${unknown.join(", ")}`;
        else r.ok = true;
      } catch (e) {
        r.error = String(e && e.message ? e.message : e);
      }
    }
    results.push(r);
  }
  out[file] = results;
}
process.stdout.write(JSON.stringify(out));
