/**
 * The layers, checked by `npm test` (depcruise): no import cycles, and each layer imports only the
 * layers below it. docs/architecture.md draws them. From the bottom:
 *   directoryId, errors, format, markdown, log   (used by every layer)
 *   licensing                                     pure functions of a tenant snapshot
 *   requests                                      the request as asked and as stored
 *   graph, store                                  Microsoft Graph; the request database
 *   service, cards                                previews; Adaptive Cards
 *   approval                                      the approval workflow
 *   chat                                          the conversation
 *   teams                                         Bot Framework
 *   config, tenantConnection, playground, app, main, cli   settings and the composition root
 * The simulated tenant (simulator) stands beside the product: it uses licensing and the base only.
 */
const BASE = "src/(directoryId|errors|format|markdown|log)\\.ts$";

/** A rule: modules under `layer` import nothing of src/ but `allowed` (and their own folder). */
function layer(name, allowed) {
  return {
    name: `${name}-imports-only-below`,
    comment: `${name} may import ${allowed.join(", ") || "nothing of src/"} and the base modules`,
    severity: "error",
    from: { path: `^src/${name}/` },
    to: {
      path: "^src/",
      pathNot: [`^src/${name}/`, `^${BASE}`, ...allowed.map((a) => `^src/${a}/`)],
    },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    {
      name: "base-imports-no-layer",
      comment: "The base modules are used by every layer and use none.",
      severity: "error",
      from: { path: `^${BASE}` },
      to: { path: "^src/", pathNot: `^${BASE}` },
    },
    layer("licensing", []),
    layer("requests", ["licensing"]),
    layer("graph", ["licensing"]),
    layer("store", ["licensing", "requests"]),
    layer("service", ["licensing", "requests", "graph"]),
    layer("cards", ["licensing", "requests"]),
    layer("approval", ["licensing", "requests", "graph", "store", "service"]),
    layer("chat", ["licensing", "requests", "graph", "service", "cards", "approval"]),
    layer("teams", ["requests", "cards", "approval", "chat"]),
    layer("simulator", ["licensing"]),
    {
      name: "no-composition-root",
      comment: "Only the entry points import the composition root.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(main|cli)\\.ts$" },
      to: { path: "^src/app\\.ts$" },
    },
    {
      name: "product-not-test",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|scripts)/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
  },
};
