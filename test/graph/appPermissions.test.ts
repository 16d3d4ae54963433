import assert from "node:assert/strict";
import { UnsecuredJWT } from "jose";
import {
  APP_PERMISSIONS,
  grantedFrom,
  missingPermissionLines,
  readGrantedPermissions,
  rolesInToken,
} from "../../src/graph/appPermissions";
import { README_PERMISSIONS } from "../../src/simulator/permissions";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import { TenantState } from "../../src/simulator/tenantState";
import { demo } from "../support/demoTenant";

const token = (payload: Record<string, unknown>) => new UnsecuredJWT(payload).setIssuedAt().encode();
const names = (granted: ReturnType<typeof grantedFrom>) => granted.missing.map((p) => p.name);

describe("the app's Graph permissions", () => {
  it("asks for exactly what the README lists and the simulated tenant grants by default", () => {
    assert.deepEqual(APP_PERMISSIONS.map((p) => p.name).sort(), [...README_PERMISSIONS].sort());
    assert.deepEqual(
      APP_PERMISSIONS.filter((p) => p.optional).map((p) => p.name),
      ["User.ReadWrite.All"],
    );
  });

  it("reads the roles of an app-only token; none when the claim is absent; unknown when it is no JWT", () => {
    assert.deepEqual(rolesInToken(token({ roles: ["User.Read.All", "GroupMember.Read.All"] })), [
      "User.Read.All",
      "GroupMember.Read.All",
    ]);
    assert.deepEqual(rolesInToken(token({ tid: "t" })), []);
    assert.equal(rolesInToken("simulated-tenant"), undefined);
    assert.equal(rolesInToken(token({ roles: "User.Read.All" })), undefined);
  });

  it("with the three permissions an earlier README named, says what fails and what is off, naming each permission", () => {
    const granted = grantedFrom(["LicenseAssignment.ReadWrite.All", "User.Read.All", "GroupMember.Read.All"]);
    assert.deepEqual(names(granted), ["LicenseAssignment.Read.All", "Organization.Read.All", "User.ReadWrite.All"]);
    assert.deepEqual(missingPermissionLines(granted), [
      "Reading the products and seats (every preview, seats, approval) will fail: it needs the LicenseAssignment.Read.All application permission, which this app was not granted. Ask the Teams administrator to grant it (with admin consent).",
      "The readiness probe and the subscription-term check (trials, end dates) will fail: it needs the Organization.Read.All application permission, which this app was not granted. Ask the Teams administrator to grant it (with admin consent).",
      "Reprocess users in error is off: it needs the User.ReadWrite.All application permission, which this app was not granted. Ask the Teams administrator to grant it (with admin consent).",
    ]);
  });

  it("counts a broader permission as granting the narrower one, in any letter case", () => {
    assert.deepEqual(names(grantedFrom(["directory.readwrite.all"])), []);
    assert.deepEqual(names(grantedFrom(["Directory.Read.All", "LicenseAssignment.ReadWrite.All"])), [
      "User.ReadWrite.All",
    ]);
    assert.deepEqual(names(grantedFrom([...README_PERMISSIONS])), []);
  });

  it("reads the simulated tenant's grants from the token its sign-in endpoint gives, which is no Graph request", async () => {
    const server = new GraphSimulatorServer(TenantState.fromJson(demo, { processingDelayMs: 0 }), {}, [
      "User.Read.All",
    ]);
    const url = await server.listen(0);
    try {
      const granted = await readGrantedPermissions({ kind: "simulator", url });
      assert.deepEqual(granted.roles, ["User.Read.All"]);
      assert.deepEqual(names(granted), [
        "LicenseAssignment.Read.All",
        "LicenseAssignment.ReadWrite.All",
        "GroupMember.Read.All",
        "Organization.Read.All",
        "User.ReadWrite.All",
      ]);
      assert.equal(server.counters.total, 0);
      // Nobody answering: unknown, saying why, and nothing said to be missing.
      await server.close();
      const unknown = await readGrantedPermissions({ kind: "simulator", url }, 2000);
      assert.equal(unknown.roles, undefined);
      assert.match(unknown.unknownBecause ?? "", /^signing in failed: /);
      assert.deepEqual(unknown.missing, []);
    } finally {
      await server.close();
      server.state.stop();
    }
  });
});
