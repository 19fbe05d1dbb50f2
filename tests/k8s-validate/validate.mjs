// Validates Kubernetes manifests offline against the Kubernetes OpenAPI schemas, as the npm
// package kubernetes-models has them (its classes' validate(): ajv on the object's schema).
//
//   node validate.mjs FILE|DIR...   every YAML document of the files (a directory: its *.yaml,
//                                   recursively, but kustomization.yaml, Chart.yaml, values.yaml)
//   node validate.mjs --helm CHART  the chart's templates, rendered with its values.yaml: the
//                                   placeholders `berth bridge convert --format helm` writes,
//                                   `{{ .Values.a.b }}` and `{{ (index .Values "a-b").c }}`
//
// Prints one line per object ("ok Deployment web" or "invalid Deployment web: <why>") and exits
// 1 if any object is invalid, has no schema, or a file does not parse; 0 otherwise.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const skipped = new Set(["kustomization.yaml", "Chart.yaml", "values.yaml"]);

function yamlFiles(target) {
  if (!fs.statSync(target).isDirectory()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(target, e.name);
      if (e.isDirectory()) return yamlFiles(p);
      return e.name.endsWith(".yaml") && !skipped.has(e.name) ? [p] : [];
    })
    .sort();
}

function lookup(values, expr) {
  // ".Values.a.b" or "(index .Values \"a-b\").c"
  let m = expr.match(/^\(index \.Values "([^"]+)"\)((?:\.[A-Za-z0-9_]+)*)$/);
  let keys;
  if (m) keys = [m[1], ...m[2].split(".").filter(Boolean)];
  else if ((m = expr.match(/^\.Values((?:\.[A-Za-z0-9_]+)+)$/))) keys = m[1].split(".").filter(Boolean);
  else throw new Error(`unsupported template expression {{ ${expr} }}`);
  let v = values;
  for (const k of keys) {
    if (v === null || typeof v !== "object" || !(k in v)) throw new Error(`{{ ${expr} }}: no such value`);
    v = v[k];
  }
  return v;
}

function renderHelm(chart) {
  const values = YAML.parse(fs.readFileSync(path.join(chart, "values.yaml"), "utf8"));
  return yamlFiles(path.join(chart, "templates")).map((file) => {
    const text = fs.readFileSync(file, "utf8").replace(/\{\{ (.*?) \}\}/g, (_, expr) => {
      const v = lookup(values, expr);
      return typeof v === "string" ? JSON.stringify(v) : String(v);
    });
    return { file, text };
  });
}

async function modelClass(apiVersion, kind) {
  const group = apiVersion.includes("/") ? apiVersion : `v1`;
  try {
    const mod = await import(`kubernetes-models/${group}/${kind}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

async function main() {
  const args = process.argv.slice(2);
  let inputs;
  if (args[0] === "--helm") inputs = renderHelm(args[1]);
  else inputs = args.flatMap(yamlFiles).map((file) => ({ file, text: fs.readFileSync(file, "utf8") }));
  let failures = 0, count = 0;
  for (const { file, text } of inputs) {
    let docs;
    try {
      docs = YAML.parseAllDocuments(text).map((d) => {
        if (d.errors.length) throw d.errors[0];
        return d.toJS();
      });
    } catch (e) {
      console.log(`invalid ${file}: ${e.message}`);
      failures++;
      continue;
    }
    for (const obj of docs) {
      if (obj === null || obj === undefined) continue;
      count++;
      const what = `${obj.kind} ${obj.metadata && obj.metadata.name} (${file})`;
      const Model = await modelClass(String(obj.apiVersion), String(obj.kind));
      if (!Model) {
        console.log(`invalid ${what}: no schema for ${obj.apiVersion} ${obj.kind}`);
        failures++;
        continue;
      }
      try {
        new Model(obj).validate();
        console.log(`ok ${what}`);
      } catch (e) {
        console.log(`invalid ${what}: ${e.message}`);
        failures++;
      }
    }
  }
  console.log(`${count} objects, ${failures} invalid`);
  process.exit(failures || count === 0 ? 1 : 0);
}

main();
