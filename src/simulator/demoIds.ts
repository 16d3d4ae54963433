/**
 * The demo tenant's fixed ids, in one place: the generator writes them into tenants/demo.json, the
 * settings use its role groups as the simulated tenant's defaults, and the tests and the local
 * Agents Playground configuration (.m365agentsplayground.yml, which cannot import them) sign in as
 * its people.
 */
export const DEMO_IDS = {
  organization: "3f5c8d2a-1b4e-4a6f-9c7d-2e8b0a1d4c6f",
  adele: "5b9e2c41-7d3a-4f1e-8a6b-0c2d9e4f7a13",
  patti: "8c1f4a7e-2b5d-4e9c-b3a6-1d7e0f2c5b84",
  megan: "2d6a9f1c-4e8b-4c3d-a5f7-9b0e1c3d6a25",
  helpdeskGroup: "1e4b7c9a-3d2f-4a8e-b6c1-9f0d2e5a7b31",
  approversGroup: "6a2d8f3b-5c1e-4b7a-9e4d-0b3c7f1a8e62",
} as const;
