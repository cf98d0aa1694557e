// Writes the Portman configuration for one role: node portman-config.js ROLE OPENAPI OUT
//
// Every operation gets checks that hold whoever calls it: never a 5xx; an error
// answers in the Error shape; no identifier outside the caller's scope appears in
// any answer. The reads the role may make (x-roles in the document) get Portman's
// contract tests (2xx, JSON, the response schema) and, for a village or a street,
// a variation that asks for an object outside the scope and must get 404. Every
// JSON request body is fuzzed (required fields dropped, numbers and lengths out of
// range) and must never answer 5xx.
const fs = require("fs");
const [role, specPath, out] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));

const ops = [];
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    ops.push({ path, method: method.toUpperCase(), op, key: `${method.toUpperCase()}::${path}` });
  }
}
const allowed = (o) => (o.op["x-roles"] || []).some((r) => r === role || r === "anyone");
const jsonAnswer = (o) => Object.values(o.op.responses).some((r) => r.content && r.content["application/json"]);
const reads = ops.filter((o) => o.method === "GET" && allowed(o) && jsonAnswer(o));
const scoped = role !== "district";

// Path variables: an object in the caller's scope; the variation swaps in one outside.
// Under /indicators, {code} is an indicator's code (the district's, seen by every role)
// and {village} the village.
const codeFor = (path) => (path.startsWith("/indicators") ? "{{indicatorCode}}" : "{{villageCode}}");
const inScope = [
  { key: "code", value: "{{villageCode}}" }, { key: "year", value: "{{year}}" },
  { key: "username", value: "{{otherUser}}" }, { key: "kind", value: "{{kind}}" },
  { key: "village", value: "{{villageCode}}" },
];
const idFor = (path) => (path.startsWith("/workshops") ? "{{workshopId}}" : path.startsWith("/companies") ? "{{companyId}}"
  : path.startsWith("/bulletins") ? "{{bulletinId}}" : "{{fileId}}");
const outsideFor = (path) => (path.startsWith("/workshops") ? "{{otherWorkshopId}}" : path.startsWith("/companies") ? "{{otherCompanyId}}" : "{{otherFileId}}");
// Only the variables a path names: Portman appends any other to the path.
const onlyIn = (path, vars) => vars.filter((v) => path.includes(`{${v.key}}`));
const kindFor = (path) => (path.startsWith("/lists") ? "sprint" : "villages");

const always = [
  "pm.test('[cunji] no 5xx', function () { pm.expect(pm.response.code).to.be.below(500); });",
  "if (pm.response.code >= 400 && pm.response.code < 500) {",
  "  pm.test('[cunji] an error answers in the Error shape', function () {",
  "    const b = pm.response.json();",
  "    pm.expect(b.error.code).to.be.a('string');",
  "    pm.expect(b.error.message).to.be.a('string');",
  "  });",
  "}",
  // The scope scan: every village_code / street_code in an answer is the caller's own
  // (a company's member villages are part of the company the caller may see).
  "if ((pm.response.headers.get('Content-Type') || '').indexOf('application/json') === 0) {",
  "  const village = pm.environment.get('scopeVillage') || '', street = pm.environment.get('scopeStreet') || '';",
  "  const bad = [];",
  "  (function walk(v, at) {",
  "    if (Array.isArray(v)) { v.forEach(function (x, i) { walk(x, at + '/' + i); }); return; }",
  "    if (!v || typeof v !== 'object') return;",
  "    Object.keys(v).forEach(function (k) {",
  "      const x = v[k];",
  "      if (typeof x === 'string' && x !== '') {",
  "        if (k === 'village_code' && ((village && x !== village) || (street && x.indexOf(street) !== 0))) bad.push(at + '/' + k + '=' + x);",
  "        if (k === 'street_code' && street && x !== street) bad.push(at + '/' + k + '=' + x);",
  "      }",
  "      if (k !== 'members') walk(x, at + '/' + k);",
  "    });",
  "  })(pm.response.json(), '');",
  "  pm.test('[cunji] nothing outside the caller\\'s scope', function () { pm.expect(bad, bad.slice(0, 5).join(', ')).to.be.empty; });",
  "}",
];

const config = {
  version: 1.0,
  tests: {
    contractTests: [],
    extendTests: [{ openApiOperation: "*::/*", tests: always, append: true }],
    variationTests: [],
  },
  overwrites: [],
  globals: { stripResponseExamples: true },
};

for (const o of reads) {
  config.tests.contractTests.push({
    openApiOperation: o.key,
    statusSuccess: { enabled: true }, contentType: { enabled: true }, jsonBody: { enabled: true },
    schemaValidation: { enabled: true },
  });
}
for (const o of ops) {
  const vars = inScope.map((v) => (v.key === "kind" ? { key: "kind", value: kindFor(o.path) }
    : v.key === "code" ? { key: "code", value: codeFor(o.path) } : v));
  vars.push({ key: "id", value: idFor(o.path) });
  if (onlyIn(o.path, vars).length > 0) {
    config.overwrites.push({ openApiOperation: o.key, overwriteRequestPathVariables: onlyIn(o.path, vars) });
  }
}
// Out-of-scope reads: for a village or a street, each read of one object (a path
// with a code or an id) is asked again for an object of another street: 404.
if (scoped) {
  // An indicator's definition and its list of values are the district's, seen by all:
  // only one village's value is outside a caller's scope.
  const objectRead = (p) => (p.startsWith("/indicators") ? p.includes("{village}") : /\{(code|id)\}/.test(p) && !p.startsWith("/files"));
  for (const o of reads.filter((o) => objectRead(o.path))) {
    config.tests.variationTests.push({
      openApiOperation: o.key,
      variations: [{
        name: "outside the caller's scope",
        openApiResponse: "4XX",
        overwrites: [{ overwriteRequestPathVariables: onlyIn(o.path, [
          { key: "code", value: o.path.startsWith("/indicators") ? "{{indicatorCode}}" : "{{otherVillageCode}}" },
          { key: "village", value: "{{otherVillageCode}}" }, { key: "year", value: "{{year}}" },
          { key: "id", value: outsideFor(o.path) }, { key: "kind", value: kindFor(o.path) },
        ]) }],
        tests: {
          contractTests: [{ statusCode: { enabled: true, code: 404 } }],
          extendTests: [{ tests: always, append: true }],
        },
      }],
    });
  }
}
// Fuzzing of every JSON request body.
const bodies = ops.filter((o) => o.op.requestBody && o.op.requestBody.content && o.op.requestBody.content["application/json"]);
config.tests.variationTests.push({
  openApiOperation: "*::/*",
  excludeForOperations: ops.filter((o) => !bodies.includes(o)).map((o) => o.key),
  openApiResponse: "4XX",
  variations: [{
    name: "fuzz",
    fuzzing: [{
      requestBody: [{
        requiredFields: { enabled: true },
        minimumNumberFields: { enabled: true },
        maximumNumberFields: { enabled: true },
        minLengthFields: { enabled: true },
        maxLengthFields: { enabled: true },
      }],
    }],
    tests: { extendTests: [{ tests: always, append: true }] },
  }],
});
fs.writeFileSync(out, JSON.stringify(config, null, 2));
console.log(`${role}: ${reads.length} contract-tested reads, ${config.tests.variationTests.length - 1} out-of-scope variations, ${bodies.length} fuzzed bodies`);
