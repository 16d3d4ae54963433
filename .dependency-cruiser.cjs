/**
 * The layers, checked by `npm test` (depcruise): no import cycles, and no import from a lower
 * layer into a higher one. docs/architecture.md explains the layers.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    {
      name: "licensing-is-pure",
      comment: "The licensing logic is pure functions of a tenant snapshot: no I/O, no other layer.",
      severity: "error",
      from: { path: "^src/licensing" },
      to: { path: "^src/(?!licensing|directoryId|format)", pathNot: "^src/licensing" },
    },
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
