import assert from "assert/strict";
import {
  Client,
  GraphError as ClientGraphError,
  PageIterator,
  type PageCollection,
} from "@microsoft/microsoft-graph-client";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import { README_PERMISSIONS } from "../../src/simulator/permissions";
import { odataString } from "../../src/simulator/odata/filterSyntax";
import type { TenantSnapshotInput } from "../../src/simulator/snapshot";
import { TenantState } from "../../src/simulator/tenantState";
import { E1, E3 } from "../support/productIds";

// --- a small tenant, built through TenantState.fromJson ---------------------------------------

const guid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const plan = (servicePlanId: string, servicePlanName: string) => ({ servicePlanId, servicePlanName });
const E1_PLANS = [
  plan("9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD"),
  plan("c7699d2e-19aa-44de-8edf-1736da088ca1", "SHAREPOINTSTANDARD"),
  plan("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"),
];
const E3_PLANS = [
  plan("efb87545-963c-4e0d-99df-69c6916d9eb0", "EXCHANGE_S_ENTERPRISE"),
  plan("5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE"),
  plan("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1"),
];

const WEIRD = "O'Brien & Sons (EMEA), #1 100%";
const ORG = guid(1);
const ALICE = guid(10);
const BOB = guid(11);
const CAROL = guid(12);
const SALES = guid(100);
const SALES_EMEA = guid(101);
const WEIRD_GROUP = guid(102);
const E3_GROUP = guid(103);
const BIG_GROUP = guid(104);
const UNIFIED = guid(106);
const BIG_MEMBERS = 2500;

function user(
  id: string,
  name: string,
  extra: Partial<TenantSnapshotInput["users"][number]> = {},
): TenantSnapshotInput["users"][number] {
  const [given, sur] = name.split(" ");
  const upn = `${given!.toLowerCase()}@contoso.com`;
  return {
    id,
    displayName: name,
    userPrincipalName: upn,
    mail: upn,
    givenName: given ?? null,
    surname: sur ?? null,
    usageLocation: "US",
    assignedLicenses: [],
    licenseAssignmentStates: [],
    ...extra,
  };
}

function group(
  id: string,
  displayName: string,
  members: string[],
  extra: Partial<TenantSnapshotInput["groups"][number]> = {},
): TenantSnapshotInput["groups"][number] {
  return {
    id,
    displayName,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    assignedLicenses: [],
    members,
    ...extra,
  };
}

function snapshot(): TenantSnapshotInput {
  const bulk = Array.from({ length: BIG_MEMBERS }, (_, i) =>
    user(guid(10_000 + i), `Bulk${i} Person`, { userPrincipalName: `bulk${i}@contoso.com`, mail: null }),
  );
  return {
    organization: { id: ORG, displayName: "Contoso", countryLetterCode: "US" },
    subscribedSkus: [
      {
        skuId: E1,
        skuPartNumber: "STANDARDPACK",
        appliesTo: "User",
        capabilityStatus: "Enabled",
        consumedUnits: 1,
        prepaidUnits: { enabled: 10 },
        servicePlans: E1_PLANS,
      },
      {
        skuId: E3,
        skuPartNumber: "ENTERPRISEPACK",
        appliesTo: "User",
        capabilityStatus: "Enabled",
        consumedUnits: 0,
        prepaidUnits: { enabled: 0 },
        servicePlans: E3_PLANS,
      },
    ],
    subscriptions: [
      {
        id: "sub-e1",
        isTrial: true,
        nextLifecycleDateTime: "2027-01-31T00:00:00Z",
        skuId: E1,
        skuPartNumber: "STANDARDPACK",
        status: "Enabled",
        totalLicenses: 10,
      },
    ],
    users: [
      user(ALICE, "Alice Smith", {
        assignedLicenses: [{ skuId: E1, disabledPlans: [] }],
        licenseAssignmentStates: [
          {
            skuId: E1,
            assignedByGroup: null,
            disabledPlans: [],
            state: "Active",
            error: null,
            lastUpdatedDateTime: "2024-01-01T00:00:00Z",
          },
        ],
      }),
      user(BOB, "Bob Jones"),
      user(CAROL, "Carol White", {
        licenseAssignmentStates: [
          {
            skuId: E3,
            assignedByGroup: E3_GROUP,
            disabledPlans: [],
            state: "Error",
            error: "CountViolation",
            lastUpdatedDateTime: "2024-01-01T00:00:00Z",
          },
        ],
      }),
      ...bulk,
    ],
    groups: [
      group(SALES, "Sales", [ALICE, BOB, SALES_EMEA]),
      group(SALES_EMEA, "Sales EMEA", [BOB]),
      group(WEIRD_GROUP, WEIRD, [ALICE]),
      group(UNIFIED, "Project X", [ALICE], { groupTypes: ["Unified"], mailEnabled: true }),
      group(E3_GROUP, "E3 users", [CAROL], {
        assignedLicenses: [{ skuId: E3, disabledPlans: [] }],
        licenseProcessingState: { state: "ProcessingComplete" },
      }),
      group(
        BIG_GROUP,
        "Everyone bulk",
        bulk.map((u) => u.id),
      ),
    ],
  };
}

// --- helpers ----------------------------------------------------------------------------------

type Json = Record<string, unknown> & { value?: Record<string, unknown>[] };

let server: GraphSimulatorServer;
let base: string;

async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const url = path.startsWith("http") ? path : `${base}v1.0${path}`;
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? {} : (JSON.parse(text) as Json) };
}
/** The advanced-query header Graph requires with a cast, $count, $search and some filters. */
const EVENTUAL = { ConsistencyLevel: "eventual" } as const;
const get = (path: string, headers?: Record<string, string>) => call("GET", path, { headers });

function assertGraphError(
  res: { status: number; headers: Headers; body: Json },
  status: number,
  code: string,
  message?: RegExp,
): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const error = res.body.error as { code: string; message: string; innerError: Record<string, string> };
  assert.equal(error.code, code);
  if (message) assert.match(error.message, message);
  assert.doesNotMatch(error.message, /\n\s+at /, "no stack trace");
  assert.equal(error.innerError["request-id"], res.headers.get("request-id"));
  assert.ok(error.innerError.date);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
}

const names = (body: Json) => (body.value ?? []).map((v) => v.displayName);

// --- tests ------------------------------------------------------------------------------------

describe("GraphSimulatorServer", () => {
  beforeEach(async () => {
    server = new GraphSimulatorServer(TenantState.fromJson(snapshot(), { processingDelayMs: 0 }));
    base = await server.listen(0);
  });
  afterEach(async () => {
    await server.close();
    server.state.stop();
  });

  describe("application permissions", () => {
    // Each call the product makes, and what Microsoft's page for it names (docs/graph-contract.md).
    const CALLS: readonly [string, string, string, unknown, readonly string[]][] = [
      ["GET", "/subscribedSkus", "LicenseAssignment.Read.All", undefined, ["Organization.Read.All"]],
      ["GET", "/directory/subscriptions", "Organization.Read.All", undefined, ["Directory.Read.All"]],
      ["GET", "/organization", "Organization.Read.All", undefined, ["Directory.Read.All"]],
      ["GET", "/users?$top=1", "User.Read.All", undefined, ["Directory.Read.All"]],
      ["GET", `/users/${ALICE}`, "User.Read.All", undefined, ["User.ReadWrite.All"]],
      ["GET", "/groups?$top=1", "GroupMember.Read.All", undefined, ["Group.Read.All"]],
      ["GET", `/groups/${E3_GROUP}`, "GroupMember.Read.All", undefined, ["Directory.Read.All"]],
      [
        "GET",
        `/groups/${E3_GROUP}/members/microsoft.graph.user?$count=true`,
        "GroupMember.Read.All",
        undefined,
        ["Group.Read.All"],
      ],
      [
        "POST",
        `/users/${ALICE}/assignLicense`,
        "LicenseAssignment.ReadWrite.All",
        { addLicenses: [], removeLicenses: [] },
        ["User.ReadWrite.All"],
      ],
      [
        "POST",
        `/groups/${E3_GROUP}/assignLicense`,
        "LicenseAssignment.ReadWrite.All",
        { addLicenses: [], removeLicenses: [] },
        ["Group.ReadWrite.All"],
      ],
      [
        "POST",
        `/users/${ALICE}/reprocessLicenseAssignment`,
        "User.ReadWrite.All",
        undefined,
        ["Directory.ReadWrite.All"],
      ],
    ];

    /** README permissions that are higher-privileged alternatives for a call, so left out of its "others". */
    const ALSO: Readonly<Record<string, readonly string[]>> = {
      "/users?$top=1": ["User.ReadWrite.All"],
      [`/users/${ALICE}`]: ["User.ReadWrite.All"],
      [`/users/${ALICE}/assignLicense`]: ["User.ReadWrite.All"],
    };

    for (const [method, path, least, body, higher] of CALLS) {
      it(`${method} ${path.split("?")[0]}: 403 without ${least}; its least or a higher permission lets it through`, async () => {
        // Every other permission the README asks for, less any that would also allow this call.
        const others = README_PERMISSIONS.filter((p) => p !== least && !higher.includes(p) && !ALSO[path]?.includes(p));
        server.grantPermissions(others);
        const writes = server.counters.writes;
        assertGraphError(
          await call(method, path, { ...(body === undefined ? {} : { body }), headers: EVENTUAL }),
          403,
          "Authorization_RequestDenied",
          /^Insufficient privileges to complete the operation\.$/,
        );
        assert.equal(server.counters.writes, writes, "a refused call changes nothing");
        for (const enough of [least, ...higher]) {
          server.grantPermissions([...others, enough]);
          const res = await call(method, path, { ...(body === undefined ? {} : { body }), headers: EVENTUAL });
          assert.ok(res.status < 300, `${enough}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      });
    }

    it("checkMemberGroups needs User.Read.All together with GroupMember.Read.All (or Directory.Read.All)", async () => {
      const ask = () => call("POST", `/users/${ALICE}/checkMemberGroups`, { body: { groupIds: [E3_GROUP] } });
      server.grantPermissions(["User.Read.All"]);
      assertGraphError(await ask(), 403, "Authorization_RequestDenied");
      server.grantPermissions(["GroupMember.Read.All"]);
      assertGraphError(await ask(), 403, "Authorization_RequestDenied");
      server.grantPermissions(["User.Read.All", "GroupMember.Read.All"]);
      assert.equal((await ask()).status, 200);
      server.grantPermissions(["Directory.Read.All"]);
      assert.equal((await ask()).status, 200);
    });

    it("checks each $batch item on its own: the envelope is 200, a refused item 403", async () => {
      server.grantPermissions(["GroupMember.Read.All"]);
      const res = await call("POST", "/$batch", {
        body: {
          requests: [
            { id: "1", method: "GET", url: `/groups/${E3_GROUP}?$select=id` },
            { id: "2", method: "GET", url: `/users/${ALICE}?$select=id` },
          ],
        },
      });
      assert.equal(res.status, 200);
      const byId = new Map((res.body.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]));
      assert.deepEqual([byId.get("1"), byId.get("2")], [200, 403]);
      assert.equal(server.counters.denied, 1);
    });
  });

  describe("protocol", () => {
    it("listens on a free port and answers with JSON and request ids, echoing client-request-id", async () => {
      assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await get("/subscribedSkus", { "client-request-id": "abc-123", Authorization: "Bearer ignored" });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(res.headers.get("client-request-id"), "abc-123");
      assert.match(res.headers.get("request-id") ?? "", /^[0-9a-f-]{36}$/);
      const own = await get("/subscribedSkus");
      assert.equal(own.headers.get("client-request-id"), own.headers.get("request-id"));
    });

    it("answers unknown paths, versions and methods in Graph's error shape", async () => {
      assertGraphError(await get("/widgets"), 400, "BadRequest", /Resource not found for the segment 'widgets'/);
      assertGraphError(await get(`/users/${ALICE}/frobnicate`), 400, "BadRequest", /segment 'frobnicate'/);
      assertGraphError(await call("GET", `${base}v2.0/users`), 400, "BadRequest", /Invalid version/);
      assertGraphError(await call("DELETE", `/users/${ALICE}`), 405, "Request_BadRequest", /not allowed/);
      assertGraphError(await call("GET", `/users/${ALICE}/assignLicense`), 405, "Request_BadRequest");
    });

    it("refuses a body that is not JSON with 400", async () => {
      assertGraphError(
        await call("POST", `/users/${ALICE}/assignLicense`, { body: "{not json" }),
        400,
        "BadRequest",
        /JSON/,
      );
      assertGraphError(await call("POST", `/users/${ALICE}/assignLicense`), 400, "BadRequest", /Empty Payload/);
    });
  });

  describe("GET /directory/subscriptions", () => {
    it("lists the companySubscriptions in Graph's shape, with $select", async () => {
      const res = await get("/directory/subscriptions");
      assert.equal(res.status, 200);
      assert.equal(res.body["@odata.context"], `${base}v1.0/$metadata#directory/subscriptions`);
      const [e1] = res.body.value!;
      assert.equal(e1.id, "sub-e1");
      assert.equal(e1.isTrial, true);
      assert.equal(e1.nextLifecycleDateTime, "2027-01-31T00:00:00Z");
      assert.equal(e1.totalLicenses, 10);
      assert.equal(e1.status, "Enabled");
      const selected = await get("/directory/subscriptions?$select=skuId,isTrial");
      assert.deepEqual(selected.body.value![0], { id: "sub-e1", skuId: E1, isTrial: true });
      assertGraphError(await get("/directory/subscriptions?$select=bogus"), 400, "BadRequest", /bogus/);
    });
  });

  describe("GET /subscribedSkus", () => {
    it("lists the products in Graph's shape, with only $select allowed", async () => {
      const res = await get("/subscribedSkus");
      assert.equal(res.status, 200);
      assert.equal(res.body["@odata.context"], `${base}v1.0/$metadata#subscribedSkus`);
      const e1 = res.body.value!.find((s) => s.skuId === E1)!;
      assert.equal(e1.id, `${ORG}_${E1}`);
      assert.equal(e1.skuPartNumber, "STANDARDPACK");
      assert.equal(e1.consumedUnits, 1);
      assert.deepEqual(e1.prepaidUnits, { enabled: 10, suspended: 0, warning: 0, lockedOut: 0 });
      assert.equal((e1.servicePlans as unknown[]).length, 3);

      const selected = await get("/subscribedSkus?$select=skuId,consumedUnits");
      assert.deepEqual(selected.body.value![0], { id: `${ORG}_${E1}`, skuId: E1, consumedUnits: 1 });
      assert.equal(selected.body["@odata.context"], `${base}v1.0/$metadata#subscribedSkus(skuId,consumedUnits)`);

      assertGraphError(await get("/subscribedSkus?$top=1"), 400, "BadRequest", /\$top/);
      assertGraphError(await get("/subscribedSkus?$filter=skuPartNumber eq 'X'"), 400, "BadRequest");
      assertGraphError(
        await get("/subscribedSkus?$select=bogus"),
        400,
        "BadRequest",
        /Could not find a property named 'bogus'/,
      );
    });
  });

  describe("users", () => {
    it("gets a user by id or UPN with Graph's default properties, licensing ones only on $select", async () => {
      const byUpn = await get("/users/ALICE@contoso.com");
      assert.equal(byUpn.status, 200);
      assert.deepEqual(byUpn.body, {
        "@odata.context": `${base}v1.0/$metadata#users/$entity`,
        id: ALICE,
        businessPhones: [],
        displayName: "Alice Smith",
        givenName: "Alice",
        jobTitle: null,
        mail: "alice@contoso.com",
        mobilePhone: null,
        officeLocation: null,
        preferredLanguage: null,
        surname: "Smith",
        userPrincipalName: "alice@contoso.com",
      });
      const selected = await get(
        `/users/${ALICE}?$select=usageLocation,assignedLicenses,licenseAssignmentStates,assignedPlans`,
      );
      assert.equal(
        selected.body["@odata.context"],
        `${base}v1.0/$metadata#users(usageLocation,assignedLicenses,licenseAssignmentStates,assignedPlans)/$entity`,
      );
      assert.equal(selected.body.id, ALICE, "id comes with every $select");
      assert.equal(selected.body.usageLocation, "US");
      assert.deepEqual(selected.body.assignedLicenses, [{ skuId: E1, disabledPlans: [] }]);
      assert.equal((selected.body.licenseAssignmentStates as { assignedByGroup: unknown }[])[0]!.assignedByGroup, null);
      assert.deepEqual(
        (selected.body.assignedPlans as { servicePlanId: string }[]).map((p) => p.servicePlanId),
        E1_PLANS.map((p) => p.servicePlanId),
      );
      assert.equal(selected.body.displayName, undefined);
    });

    it("answers 404 for an unknown user and 400 for an unknown $select property", async () => {
      assertGraphError(
        await get("/users/nobody@contoso.com"),
        404,
        "Request_ResourceNotFound",
        /Resource 'nobody@contoso.com' does not exist/,
      );
      assertGraphError(
        await get(`/users/${ALICE}?$select=displayName,shoeSize`),
        400,
        "BadRequest",
        /'shoeSize' on type 'microsoft.graph.user'/,
      );
    });

    it("filters users with eq (case-insensitive), startswith on several properties, or/and", async () => {
      const q = (filter: string) => get(`/users?$filter=${encodeURIComponent(filter)}&$select=displayName`);
      assert.deepEqual(names((await q("userPrincipalName eq 'BOB@contoso.com'")).body), ["Bob Jones"]);
      assert.deepEqual(names((await q("mail eq 'carol@contoso.com' or displayName eq 'alice smith'")).body), [
        "Alice Smith",
        "Carol White",
      ]);
      assert.deepEqual(names((await q("startswith(givenName,'b') and startswith(surname,'J')")).body), ["Bob Jones"]);
      assert.deepEqual(names((await q("startswith(userPrincipalName,'bulk249@') or startswith(mail,'al')")).body), [
        "Alice Smith",
        "Bulk249 Person",
      ]);
      assert.deepEqual(names((await q("startswith(displayName,'Car') and surname eq 'White'")).body), ["Carol White"]);
      assertGraphError(await q("displayName eq 'x' or"), 400, "BadRequest", /Invalid filter clause/);
      assertGraphError(
        await q("shoeSize eq 'x'"),
        400,
        "Request_UnsupportedQuery",
        /property 'shoeSize' of resource 'User'/,
      );
    });

    it("finds who holds a product with assignedLicenses/any(…), an advanced query as the product sends it", async () => {
      const holders = (skuId: string, variable = "x") =>
        `/users?$count=true&$select=displayName,assignedLicenses&$filter=${encodeURIComponent(`assignedLicenses/any(${variable}:${variable}/skuId eq ${skuId})`)}`;
      const eventual = { ConsistencyLevel: "eventual" };
      const e1 = await get(holders(E1), eventual);
      assert.equal(e1.status, 200, JSON.stringify(e1.body));
      assert.deepEqual(names(e1.body), ["Alice Smith"]);
      assert.equal(e1.body["@odata.count"], 1);
      assert.deepEqual(
        names((await get(holders(E1.toUpperCase(), "lic"), eventual)).body),
        ["Alice Smith"],
        "any variable name; GUIDs compared without case",
      );
      // Carol's E3 from her group is in error: it is in no assignedLicenses, so she does not match.
      assert.deepEqual(names((await get(holders(E3), eventual)).body), []);
      // The filter reads the index, which lags behind a change ("consistency" below).
      assert.equal(
        (
          await call("POST", `/users/${BOB}/assignLicense`, {
            body: { addLicenses: [{ skuId: E1, disabledPlans: [] }], removeLicenses: [] },
          })
        ).status,
        200,
      );
      assert.deepEqual(names((await get(holders(E1), eventual)).body), ["Alice Smith"]);
      // Like Graph, only with advanced query capabilities; and only `any` on skuId, with an unquoted GUID.
      assertGraphError(
        await get(holders(E1)),
        400,
        "Request_UnsupportedQuery",
        /property 'assignedLicenses' of resource 'User'/,
      );
      const q = (filter: string) => get(`/users?$count=true&$filter=${encodeURIComponent(filter)}`, eventual);
      assertGraphError(await q(`assignedLicenses/all(x:x/skuId eq ${E1})`), 400, "Request_UnsupportedQuery");
      assertGraphError(
        await q(`assignedLicenses/any(x:x/skuId eq '${E1}')`),
        400,
        "Request_UnsupportedQuery",
        /property 'skuId'/,
      );
      assertGraphError(await q(`assignedLicenses/any(x:y/skuId eq ${E1})`), 400, "BadRequest", /Invalid filter clause/);
    });

    it("pages users with $top and an absolute nextLink that carries the query options", async () => {
      const first = await get(
        "/users?$select=id&$top=2&$filter=" + encodeURIComponent("startswith(displayName,'Bulk1')"),
      );
      assert.equal(first.body.value!.length, 2);
      const next = first.body["@odata.nextLink"] as string;
      assert.ok(next.startsWith(`${base}v1.0/users?`), next);
      assert.match(next, /\$skiptoken=/);
      const second = await get(next.slice(`${base}v1.0`.length));
      assert.equal(second.body.value!.length, 2);
      assert.notDeepEqual(second.body.value, first.body.value);
      assert.deepEqual(Object.keys(second.body.value![0]!), ["id"]);
      assert.equal((await get("/users")).body.value!.length, 100, "default page size 100");
      assertGraphError(await get("/users?$top=1000"), 400, "Request_BadRequest", /Must be between 1 and 999/);
    });
  });

  describe("groups", () => {
    it("gets a group with default properties; licensing ones only on $select", async () => {
      const plain = await get(`/groups/${E3_GROUP}`);
      assert.deepEqual(plain.body, {
        "@odata.context": `${base}v1.0/$metadata#groups/$entity`,
        id: E3_GROUP,
        displayName: "E3 users",
        description: null,
        mail: null,
      });
      const selected = await get(
        `/groups/${E3_GROUP}?$select=assignedLicenses,licenseProcessingState,groupTypes,securityEnabled,onPremisesSyncEnabled,membershipRule`,
      );
      assert.deepEqual(selected.body.assignedLicenses, [{ skuId: E3, disabledPlans: [] }]);
      assert.deepEqual(selected.body.licenseProcessingState, { state: "ProcessingComplete" });
      assert.equal(selected.body.securityEnabled, true);
      assert.equal(selected.body.onPremisesSyncEnabled, null);
      assert.equal(selected.body.membershipRule, null);
      assertGraphError(await get(`/groups/${guid(999)}`), 404, "Request_ResourceNotFound");
      assertGraphError(await get(`/groups/${E3_GROUP}?$select=members`), 400, "BadRequest");
    });

    it("finds a group named with quotes, &, #, %, parentheses and commas by eq and startswith", async () => {
      const eq = await get(`/groups?$filter=${encodeURIComponent(`displayName eq ${odataString(WEIRD)}`)}`);
      assert.equal(eq.status, 200, JSON.stringify(eq.body));
      assert.deepEqual(names(eq.body), [WEIRD]);
      assert.equal(eq.body.value![0]!.id, WEIRD_GROUP);
      const sw = await get(
        `/groups?$filter=${encodeURIComponent(`startswith(displayName,${odataString("o'brien & sons (EMEA), #1 1")})`)}`,
      );
      assert.deepEqual(names(sw.body), [WEIRD]);
      const either = await get(
        `/groups?$filter=${encodeURIComponent(`displayName eq 'Sales' or displayName eq ${odataString(WEIRD)}`)}&$select=displayName`,
      );
      assert.deepEqual(names(either.body), ["Sales", WEIRD]);
      const prefix = await get(`/groups?$filter=${encodeURIComponent("startswith(displayName,'sales')")}`);
      assert.deepEqual(names(prefix.body), ["Sales", "Sales EMEA"]);
    });

    it("filters on hasMembersWithLicenseErrors, which Graph refuses with ConsistencyLevel: eventual", async () => {
      const path = `/groups?$filter=${encodeURIComponent("hasMembersWithLicenseErrors eq true")}&$select=displayName`;
      assert.deepEqual(names((await get(path)).body), ["E3 users"]);
      assertGraphError(
        await get(path, { ConsistencyLevel: "eventual" }),
        400,
        "Request_UnsupportedQuery",
        /hasMembersWithLicenseErrors/,
      );
    });

    it("counts with $count=true only with ConsistencyLevel: eventual", async () => {
      const path = `/groups?$count=true&$top=1&$filter=${encodeURIComponent("startswith(displayName,'Sales')")}`;
      const counted = await get(path, { ConsistencyLevel: "eventual" });
      assert.equal(counted.body["@odata.count"], 2);
      assert.equal(counted.body.value!.length, 1);
      assert.ok(counted.body["@odata.nextLink"]);
      assertGraphError(await get(path), 400, "Request_BadRequest", /\$count/);
      assertGraphError(await get("/groups?$top=1000"), 400, "Request_BadRequest");
      assertGraphError(await get("/groups?$skip=5"), 400, "Request_BadRequest", /'\$skip' is not supported/);
    });

    it("pages 2,500 user members at $top=999 in 3 pages, nextLink on the first two, each with @odata.type", async () => {
      const seen = new Set<string>();
      let path: string | undefined =
        `/groups/${BIG_GROUP}/members/microsoft.graph.user?$count=true&$top=999&$select=id,displayName`;
      const sizes: number[] = [];
      const links: boolean[] = [];
      while (path) {
        const res = await get(path, EVENTUAL);
        assert.equal(res.status, 200);
        sizes.push(res.body.value!.length);
        for (const m of res.body.value!) {
          assert.equal(m["@odata.type"], "#microsoft.graph.user");
          seen.add(m.id as string);
        }
        const next = res.body["@odata.nextLink"] as string | undefined;
        links.push(next !== undefined);
        path = next?.slice(`${base}v1.0`.length);
      }
      assert.deepEqual(sizes, [999, 999, 502]);
      assert.deepEqual(links, [true, true, false]);
      assert.equal(seen.size, BIG_MEMBERS);
      assert.equal(server.counters.byRoute["GET /groups/{id}/members/microsoft.graph.user"], 3);
    });

    it("lists direct members cast to users or to groups", async () => {
      const users = await get(
        `/groups/${SALES}/members/microsoft.graph.user?$count=true&$select=userPrincipalName,assignedLicenses,usageLocation`,
        EVENTUAL,
      );
      assert.deepEqual(users.body.value, [
        {
          "@odata.type": "#microsoft.graph.user",
          id: ALICE,
          userPrincipalName: "alice@contoso.com",
          assignedLicenses: [{ skuId: E1, disabledPlans: [] }],
          usageLocation: "US",
        },
        {
          "@odata.type": "#microsoft.graph.user",
          id: BOB,
          userPrincipalName: "bob@contoso.com",
          assignedLicenses: [],
          usageLocation: "US",
        },
      ]);
      const groups = await get(
        `/groups/${SALES}/members/microsoft.graph.group?$count=true&$select=displayName`,
        EVENTUAL,
      );
      assert.deepEqual(groups.body.value, [
        { "@odata.type": "#microsoft.graph.group", id: SALES_EMEA, displayName: "Sales EMEA" },
      ]);
      assertGraphError(
        await get(`/groups/${SALES}/members/microsoft.graph.group?$select=userPrincipalName`),
        400,
        "BadRequest",
      );
      assertGraphError(await get(`/groups/${guid(999)}/members/microsoft.graph.user`), 404, "Request_ResourceNotFound");
    });

    it("refuses a cast without ConsistencyLevel: eventual and $count, as the members page says Graph requires", async () => {
      const cast = `/groups/${SALES}/members/microsoft.graph.user`;
      for (const [path, headers] of [
        [cast, EVENTUAL],
        [`${cast}?$count=true`, {}],
        [cast, {}],
      ] as const)
        assertGraphError(
          await get(path, headers),
          400,
          "Request_UnsupportedQuery",
          /ConsistencyLevel.*eventual.*\$count=true/,
        );
    });

    it("refuses the cast to groups on a Microsoft 365 group, which cannot contain groups", async () => {
      assertGraphError(
        await get(`/groups/${UNIFIED}/members/microsoft.graph.group?$count=true`, EVENTUAL),
        400,
        "Request_UnsupportedQuery",
        /Microsoft 365 group cannot have groups as members/,
      );
      // Its users are listed as for any group.
      assert.equal((await get(`/groups/${UNIFIED}/members/microsoft.graph.user?$count=true`, EVENTUAL)).status, 200);
    });
  });

  describe("writes", () => {
    it("assigns a user license: 200 with the user; the change shows on the next read", async () => {
      const res = await call("POST", "/users/bob@contoso.com/assignLicense", {
        body: { addLicenses: [{ skuId: E1, disabledPlans: [] }], removeLicenses: [] },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.id, BOB);
      assert.equal(res.body["@odata.context"], `${base}v1.0/$metadata#users/$entity`);
      const after = await get(`/users/${BOB}?$select=assignedLicenses`);
      assert.deepEqual(after.body.assignedLicenses, [{ skuId: E1, disabledPlans: [] }]);
      assert.equal(server.counters.writes, 1);
    });

    it("passes TenantState's refusals through as Graph errors", async () => {
      assertGraphError(
        await call("POST", `/users/${BOB}/assignLicense`, { body: { addLicenses: [] } }),
        400,
        "Request_BadRequest",
        /removeLicenses/,
      );
      assertGraphError(
        await call("POST", `/users/${BOB}/assignLicense`, {
          body: { addLicenses: [{ skuId: E3 }], removeLicenses: [] },
        }),
        400,
        "Request_BadRequest",
      );
      assertGraphError(
        await call("POST", "/users/ghost@contoso.com/assignLicense", { body: { addLicenses: [], removeLicenses: [] } }),
        404,
        "Request_ResourceNotFound",
      );
    });

    it("assigns a group license: 202 with the group, members processed later", async () => {
      const res = await call("POST", `/groups/${SALES_EMEA}/assignLicense`, {
        body: { addLicenses: [{ skuId: E1, disabledPlans: [] }], removeLicenses: [] },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.id, SALES_EMEA);
      assert.equal(res.body["@odata.context"], `${base}v1.0/$metadata#groups/$entity`);
      await server.state.whenIdle();
      const bob = await get(`/users/${BOB}?$select=licenseAssignmentStates`);
      assert.deepEqual(
        (bob.body.licenseAssignmentStates as { skuId: string; assignedByGroup: string; state: string }[]).map((s) => [
          s.skuId,
          s.assignedByGroup,
          s.state,
        ]),
        [[E1, SALES_EMEA, "Active"]],
      );
    });

    it("reprocesses a user: 200 with the user, with or without a body", async () => {
      const res = await call("POST", `/users/${CAROL}/reprocessLicenseAssignment`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.id, CAROL);
      assert.equal((await call("POST", `/users/${CAROL}/reprocessLicenseAssignment`, { body: {} })).status, 200);
      assert.equal(server.counters.writes, 2);
      assert.equal(server.counters.byRoute["POST /users/{id}/reprocessLicenseAssignment"], 2);
    });
  });

  describe('consistency (docs/graph-contract.md, "Consistency")', () => {
    let now = Date.parse("2026-03-02T09:00:00.000Z");
    /** A tenant on a clock the test moves; processing slow enough that a group stays queued. */
    async function lagging(lag: { indexLagMs?: number; processingStateLagMs?: number } = {}): Promise<void> {
      await server.close();
      server.state.stop();
      const state = TenantState.fromJson(snapshot(), { processingDelayMs: 60_000, now: () => new Date(now), ...lag });
      server = new GraphSimulatorServer(state);
      base = await server.listen(0);
    }
    const skusOf = (body: Json, id: string) =>
      (body.value ?? [])
        .filter((u) => u.id === id)
        .map((u) => (u.assignedLicenses as { skuId: string }[]).map((l) => l.skuId));
    const eventualReads = async () => ({
      members: skusOf(
        (
          await get(
            `/groups/${SALES_EMEA}/members/microsoft.graph.user?$count=true&$select=id,assignedLicenses`,
            EVENTUAL,
          )
        ).body,
        BOB,
      ),
      holders: (
        await get(`/users?$filter=assignedLicenses/any(x:x/skuId eq ${E1})&$count=true&$select=id`, EVENTUAL)
      ).body.value?.map((u) => u.id),
    });

    it("advanced queries show a user's licenses as they were until the index lag (1 s by default) has passed; reads by id at once", async () => {
      await lagging();
      const assigned = await call("POST", `/users/${BOB}/assignLicense`, {
        body: { addLicenses: [{ skuId: E1, disabledPlans: [] }], removeLicenses: [] },
      });
      assert.equal(assigned.status, 200);
      assert.deepEqual((await get(`/users/${BOB}?$select=assignedLicenses`)).body.assignedLicenses, [
        { skuId: E1, disabledPlans: [] },
      ]);
      assert.deepEqual(skusOf((await get("/users?$select=id,assignedLicenses")).body, BOB), [[E1]]);
      const holdersBefore = (await eventualReads()).holders;
      now += 999;
      assert.deepEqual(await eventualReads(), { members: [[]], holders: holdersBefore });
      assert.ok(!holdersBefore?.includes(BOB));
      now += 1;
      assert.deepEqual(await eventualReads(), { members: [[E1]], holders: [...(holdersBefore ?? []), BOB].sort() });
    });

    it("with SIMULATOR_INDEX_LAG_MS 0 an advanced query shows a change at once", async () => {
      await lagging({ indexLagMs: 0 });
      await call("POST", `/users/${BOB}/assignLicense`, {
        body: { addLicenses: [{ skuId: E1, disabledPlans: [] }], removeLicenses: [] },
      });
      assert.deepEqual((await eventualReads()).members, [[E1]]);
    });

    it("a group's processing state reads as it was before an accepted assignLicense for 1 s by default; its licenses change at once", async () => {
      await lagging();
      const written = await call("POST", `/groups/${E3_GROUP}/assignLicense`, {
        body: { addLicenses: [], removeLicenses: [E3] },
      });
      assert.equal(written.status, 202);
      const read = async () => (await get(`/groups/${E3_GROUP}?$select=assignedLicenses,licenseProcessingState`)).body;
      assert.deepEqual(await read(), {
        "@odata.context": `${base}v1.0/$metadata#groups(assignedLicenses,licenseProcessingState)/$entity`,
        id: E3_GROUP,
        assignedLicenses: [],
        licenseProcessingState: { state: "ProcessingComplete" },
      });
      now += 999;
      assert.deepEqual((await read()).licenseProcessingState, { state: "ProcessingComplete" });
      now += 1;
      assert.deepEqual((await read()).licenseProcessingState, { state: "QueuedForProcessing" });
    });
  });

  describe("POST /users/{id}/checkMemberGroups", () => {
    // Carol reaches Sales only through nesting: Sales ⊃ Sales EMEA ⊃ Leads ⊃ Carol.
    const LEADS = guid(105);
    beforeEach(async () => {
      await server.close();
      server.state.stop();
      const snap = snapshot();
      snap.groups.push(group(LEADS, "Leads", [CAROL]));
      snap.groups.find((g) => g.id === SALES_EMEA)!.members.push(LEADS);
      server = new GraphSimulatorServer(TenantState.fromJson(snap, { processingDelayMs: 0 }));
      base = await server.listen(0);
    });

    it("answers the groups the user is in, directly or through nested groups, in the order asked; unknown ids left out", async () => {
      const unknown = guid(999);
      const res = await call("POST", `/users/${CAROL}/checkMemberGroups`, {
        body: { groupIds: [WEIRD_GROUP, SALES.toUpperCase(), unknown, LEADS, E3_GROUP, SALES_EMEA] },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body["@odata.context"], `${base}v1.0/$metadata#Collection(Edm.String)`);
      assert.deepEqual(res.body.value, [SALES, LEADS, E3_GROUP, SALES_EMEA]);
      const bob = await call("POST", "/users/bob@contoso.com/checkMemberGroups", {
        body: { groupIds: [SALES, LEADS, SALES_EMEA] },
      });
      assert.deepEqual(bob.body.value, [SALES, SALES_EMEA]);
      assert.deepEqual(
        (await call("POST", `/users/${CAROL}/checkMemberGroups`, { body: { groupIds: [] } })).body.value,
        [],
      );
    });

    it("is a read: counted by route, never as a write", async () => {
      await call("POST", `/users/${CAROL}/checkMemberGroups`, { body: { groupIds: [SALES] } });
      await call("POST", "/$batch", {
        body: {
          requests: [
            {
              id: "1",
              method: "POST",
              url: `/users/${BOB}/checkMemberGroups`,
              headers: { "content-type": "application/json" },
              body: { groupIds: [SALES] },
            },
          ],
        },
      });
      assert.equal(server.counters.byRoute["POST /users/{id}/checkMemberGroups"], 2);
      assert.equal(server.counters.writes, 0);
    });

    it("refuses a body without groupIds, with ids that are not strings, or with more than 20; and an unknown user", async () => {
      assertGraphError(await call("POST", `/users/${CAROL}/checkMemberGroups`), 400, "BadRequest", /Empty Payload/);
      assertGraphError(
        await call("POST", `/users/${CAROL}/checkMemberGroups`, { body: {} }),
        400,
        "Request_BadRequest",
        /groupIds/,
      );
      assertGraphError(
        await call("POST", `/users/${CAROL}/checkMemberGroups`, { body: { groupIds: SALES } }),
        400,
        "Request_BadRequest",
        /groupIds/,
      );
      assertGraphError(
        await call("POST", `/users/${CAROL}/checkMemberGroups`, { body: { groupIds: [1] } }),
        400,
        "Request_BadRequest",
        /groupIds/,
      );
      const many = Array.from({ length: 21 }, (_, i) => guid(500 + i));
      assertGraphError(
        await call("POST", `/users/${CAROL}/checkMemberGroups`, { body: { groupIds: many } }),
        400,
        "Request_BadRequest",
        /at most 20/,
      );
      assert.equal(
        (await call("POST", `/users/${CAROL}/checkMemberGroups`, { body: { groupIds: many.slice(0, 20) } })).status,
        200,
      );
      assertGraphError(
        await call("POST", "/users/ghost@contoso.com/checkMemberGroups", { body: { groupIds: [SALES] } }),
        404,
        "Request_ResourceNotFound",
      );
    });
  });

  describe("$batch", () => {
    it("runs each inner request through the dispatcher and counts them all", async () => {
      const res = await call("POST", "/$batch", {
        body: {
          requests: [
            { id: "1", method: "GET", url: "/users/alice@contoso.com?$select=usageLocation" },
            {
              id: "2",
              method: "POST",
              url: `/users/${BOB}/assignLicense`,
              headers: { "Content-Type": "application/json" },
              body: { addLicenses: [{ skuId: E1 }], removeLicenses: [] },
            },
            { id: "3", method: "GET", url: `groups/${guid(999)}` },
            { id: "4", method: "GET", url: `/users/${BOB}?$select=assignedLicenses`, dependsOn: ["2"] },
          ],
        },
      });
      assert.equal(res.status, 200);
      const responses = res.body.responses as {
        id: string;
        status: number;
        headers: Record<string, string>;
        body: Json;
      }[];
      assert.deepEqual(
        responses.map((r) => [r.id, r.status]),
        [
          ["1", 200],
          ["2", 200],
          ["3", 404],
          ["4", 200],
        ],
      );
      assert.equal(responses[0]!.body.usageLocation, "US");
      assert.equal((responses[2]!.body.error as { code: string }).code, "Request_ResourceNotFound");
      assert.deepEqual(responses[3]!.body.assignedLicenses, [{ skuId: E1, disabledPlans: [] }]);
      assert.deepEqual(server.counters.byRoute, {
        "POST /$batch": 1,
        "GET /users/{id}": 2,
        "POST /users/{id}/assignLicense": 1,
        "GET /groups/{id}": 1,
      });
      assert.equal(server.counters.total, 5);
      // One round trip for the client: the $batch.
      assert.equal(server.counters.roundTrips, 1);
      assert.equal(server.counters.writes, 1);
    });

    it("refuses more than 20 requests, and malformed batches, with 400", async () => {
      const requests = Array.from({ length: 21 }, (_, i) => ({
        id: String(i + 1),
        method: "GET",
        url: "/subscribedSkus",
      }));
      assertGraphError(await call("POST", "/$batch", { body: { requests } }), 400, "BadRequest", /limit of 20/);
      assertGraphError(
        await call("POST", "/$batch", {
          body: {
            requests: [
              { id: "1", method: "GET", url: "/a" },
              { id: "1", method: "GET", url: "/b" },
            ],
          },
        }),
        400,
        "BadRequest",
        /duplicate/,
      );
      assertGraphError(
        await call("POST", "/$batch", {
          body: { requests: [{ id: "1", method: "POST", url: `/users/${BOB}/assignLicense`, body: {} }] },
        }),
        400,
        "BadRequest",
        /Content-Type/,
      );
      assertGraphError(await call("POST", "/$batch", { body: { nope: [] } }), 400, "BadRequest");
      assert.equal((await call("POST", "/$batch", { body: { requests: requests.slice(0, 20) } })).status, 200);
    });

    it("throttles inner requests one by one: an inner 429 carries Retry-After", async () => {
      server.setFaults({ throttleRate: 0.5, retryAfterSeconds: 7 });
      const res = await call("POST", "/$batch", {
        body: { requests: ["1", "2", "3"].map((id) => ({ id, method: "GET", url: "/subscribedSkus?$select=skuId" })) },
      });
      assert.equal(res.status, 200);
      const responses = res.body.responses as { status: number; headers: Record<string, string>; body: Json }[];
      assert.deepEqual(
        responses.map((r) => r.status),
        [429, 200, 429],
      );
      assert.equal(responses[0]!.headers["Retry-After"], "7");
      assert.equal((responses[0]!.body.error as { code: string }).code, "TooManyRequests");
      assert.equal(server.counters.throttled, 2);
    });
  });

  describe("faults", () => {
    it("throttles exactly every second request at rate 0.5, with Retry-After and TooManyRequests, and counts them", async () => {
      server.setFaults({ throttleRate: 0.5, retryAfterSeconds: 3 });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await get("/subscribedSkus");
        statuses.push(res.status);
        if (res.status === 429) {
          assert.equal(res.headers.get("retry-after"), "3");
          assertGraphError(res, 429, "TooManyRequests");
        }
      }
      assert.deepEqual(statuses, [429, 200, 429, 200, 429, 200]);
      assert.equal(server.counters.total, 6);
      assert.equal(server.counters.throttled, 3);
      assert.equal(server.counters.byRoute["GET /subscribedSkus"], 6);
      server.setFaults({ throttleRate: 0 });
      assert.equal((await get("/subscribedSkus")).status, 200);
      server.counters.reset();
      assert.deepEqual(
        [server.counters.total, server.counters.writes, server.counters.throttled, server.counters.byRoute],
        [0, 0, 0, {}],
      );
    });

    it("outage: every request, a batch included, is answered 503 serviceNotAvailable with Retry-After, and nothing is written, until it ends", async () => {
      server.setFaults({ outage: true, retryAfterSeconds: 2 });
      const read = await get("/subscribedSkus");
      assertGraphError(read, 503, "serviceNotAvailable");
      assert.equal(read.headers.get("retry-after"), "2");
      const batch = await call("POST", "/$batch", {
        body: { requests: [{ id: "1", method: "GET", url: "/subscribedSkus" }] },
      });
      assertGraphError(batch, 503, "serviceNotAvailable");
      assert.deepEqual([server.counters.unavailable, server.counters.writes], [2, 0]);
      server.setFaults({ outage: false });
      assert.equal((await get("/subscribedSkus")).status, 200);
      assert.equal(server.counters.unavailable, 2);
    });

    it("throttles exactly the share the rate names, the first request always: 0.9, 0.5, 0.25 and 1 of 100", async () => {
      const statusesOf100 = async (rate: number): Promise<number[]> => {
        server.setFaults({ throttleRate: rate, retryAfterSeconds: 0 });
        const statuses: number[] = [];
        for (let i = 0; i < 100; i++)
          statuses.push((await server.handle({ method: "GET", url: "/v1.0/subscribedSkus?$select=skuId" })).status);
        return statuses;
      };
      const throttled = (statuses: number[]) => statuses.filter((s) => s === 429).length;
      const at90 = await statusesOf100(0.9);
      assert.equal(throttled(at90), 90);
      assert.deepEqual(at90.slice(0, 10), [429, 429, 429, 429, 429, 429, 429, 429, 429, 200]);
      const at50 = await statusesOf100(0.5);
      assert.equal(throttled(at50), 50);
      const at25 = await statusesOf100(0.25);
      assert.equal(throttled(at25), 25);
      assert.deepEqual(at25.slice(0, 8), [429, 200, 200, 200, 429, 200, 200, 200]);
      assert.equal(throttled(await statusesOf100(1)), 100);
      assert.equal(server.counters.throttled, 265);
    });

    it("adds latency to each request", async () => {
      server.setFaults({ latencyMs: 80 });
      const started = Date.now();
      await get("/subscribedSkus");
      assert.ok(Date.now() - started >= 75, `took ${Date.now() - started} ms`);
    });

    describe("write faults", () => {
      const addE1 = { addLicenses: [{ skuId: E1, disabledPlans: [] }], removeLicenses: [] };
      /** Bob's licenses as the tenant holds them (not through HTTP, which a fault might hold). */
      const bobSkus = () => server.state.user(BOB)?.assignedLicenses.map((l) => l.skuId);
      /** POSTs Bob's assignLicense without waiting; `abort` plays the client going away. */
      const startWrite = () => {
        const client = new AbortController();
        const answer = fetch(`${base}v1.0/users/${BOB}/assignLicense`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(addE1),
          signal: client.signal,
        });
        // Settled or not, never an unhandled rejection; the tests look at `settled`.
        let settled: "no" | "answered" | "failed" = "no";
        answer.then(
          () => (settled = "answered"),
          () => (settled = "failed"),
        );
        return { answer, abort: () => client.abort(), settled: () => settled };
      };
      async function until(what: string, condition: () => boolean, timeoutMs = 2000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!condition()) {
          if (Date.now() > deadline) assert.fail(`waited ${timeoutMs} ms for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      it("hold: a write is neither applied nor answered until the faults change; then it is applied and answered", async () => {
        server.setFaults({ writes: "hold" });
        const write = startWrite();
        await until("the write to be held", () => server.counters.held === 1);
        await pause(50);
        assert.equal(write.settled(), "no");
        assert.deepEqual(bobSkus(), []);
        assert.equal(server.counters.writes, 0);
        // Reads go on meanwhile.
        assert.equal((await get(`/users/${BOB}?$select=assignedLicenses`)).status, 200);
        server.setFaults({ writes: "normal" });
        const res = await write.answer;
        assert.equal(res.status, 200);
        assert.deepEqual(bobSkus(), [E1]);
        assert.deepEqual([server.counters.writes, server.counters.held, server.counters.dropped], [1, 1, 0]);
        assert.equal(server.counters.byRoute["POST /users/{id}/assignLicense"], 1);
      });

      it("hold: a held write whose client disconnects is dropped, never applied, even once the faults change", async () => {
        server.setFaults({ writes: "hold" });
        const write = startWrite();
        await until("the write to be held", () => server.counters.held === 1);
        write.abort();
        await until("the held write to be dropped", () => server.counters.dropped === 1);
        server.setFaults({ writes: "normal" });
        await pause(50);
        assert.equal(write.settled(), "failed");
        assert.deepEqual(bobSkus(), []);
        assert.equal(server.counters.writes, 0);
        // The next write goes through as usual.
        assert.equal((await call("POST", `/users/${BOB}/assignLicense`, { body: addE1 })).status, 200);
        assert.deepEqual([server.counters.writes, server.counters.held, server.counters.dropped], [1, 1, 1]);
      });

      it("hold: a throttled write is answered 429 at once, not held", async () => {
        server.setFaults({ writes: "hold", throttleRate: 1, retryAfterSeconds: 0 });
        assertGraphError(await call("POST", `/users/${BOB}/assignLicense`, { body: addE1 }), 429, "TooManyRequests");
        assert.deepEqual([server.counters.writes, server.counters.held, server.counters.throttled], [0, 0, 1]);
      });

      it("apply-then-hang: a write is applied at once and counted, and never answered until its client leaves", async () => {
        server.setFaults({ writes: "apply-then-hang" });
        const write = startWrite();
        await until("the write to be applied", () => server.counters.writes === 1);
        assert.deepEqual(bobSkus(), [E1]);
        // Still no answer, even once the faults change back: that answer is lost.
        server.setFaults({ writes: "normal" });
        await pause(100);
        assert.equal(write.settled(), "no");
        write.abort();
        await until("the client to give up", () => write.settled() !== "no");
        assert.equal(write.settled(), "failed");
        assert.deepEqual([server.counters.writes, server.counters.held, server.counters.dropped], [1, 0, 0]);
        assert.equal((await call("POST", `/users/${CAROL}/reprocessLicenseAssignment`)).status, 200);
        assert.equal(server.counters.writes, 2);
      });

      it("a held write released into apply-then-hang is applied and then hangs", async () => {
        server.setFaults({ writes: "hold" });
        const write = startWrite();
        await until("the write to be held", () => server.counters.held === 1);
        server.setFaults({ writes: "apply-then-hang" });
        await until("the write to be applied", () => server.counters.writes === 1);
        assert.deepEqual(bobSkus(), [E1]);
        await pause(50);
        assert.equal(write.settled(), "no");
        write.abort();
        await until("the client to give up", () => write.settled() !== "no");
      });

      it("closing the server ends held and hanging writes: the held one is dropped", async () => {
        server.setFaults({ writes: "hold" });
        const held = startWrite();
        await until("the write to be held", () => server.counters.held === 1);
        server.setFaults({ writes: "apply-then-hang" });
        await until("the held write to be applied", () => server.counters.writes === 1);
        server.setFaults({ writes: "hold" });
        const second = fetch(`${base}v1.0/users/${CAROL}/reprocessLicenseAssignment`, { method: "POST" }).then(
          () => "answered",
          () => "failed",
        );
        await until("the second write to be held", () => server.counters.held === 2);
        await server.close();
        assert.equal(await second, "failed");
        await until("the hanging write to end", () => held.settled() !== "no");
        // The server learns the held write's client is gone a moment after the client does.
        await until("the held write to be dropped", () => server.counters.dropped >= 1);
        assert.deepEqual([server.counters.writes, server.counters.held, server.counters.dropped], [1, 2, 1]);
      });

      it("holds a write sent through handle() without a client until the faults change", async () => {
        server.setFaults({ writes: "hold" });
        const answer = server.handle({
          method: "POST",
          url: `/v1.0/users/${BOB}/assignLicense`,
          headers: { "content-type": "application/json" },
          body: JSON.stringify(addE1),
        });
        await until("the write to be held", () => server.counters.held === 1);
        assert.deepEqual(bobSkus(), []);
        server.setFaults({ writes: "normal" });
        assert.equal((await answer).status, 200);
        assert.deepEqual(bobSkus(), [E1]);
      });

      it("apply-late: a write whose client left after 100 ms is applied lateWriteMs after it came, and counted then", async () => {
        assert.equal(server.getFaults().lateWriteMs, 1000);
        server.setFaults({ writes: "apply-late" });
        const sent = Date.now();
        const write = startWrite();
        await pause(100);
        write.abort();
        await until("the client to give up", () => write.settled() !== "no");
        assert.equal(write.settled(), "failed");
        const licensesOfBob = async () =>
          ((await get(`/users/${BOB}?$select=assignedLicenses`)).body.assignedLicenses as { skuId: string }[]).map(
            (l) => l.skuId,
          );
        assert.deepEqual(await licensesOfBob(), []);
        assert.equal(server.counters.writes, 0);
        await until("the late write to be applied", () => server.counters.writes === 1, 3000);
        assert.ok(Date.now() - sent >= 1000, `applied ${Date.now() - sent} ms after it was sent`);
        assert.deepEqual(await licensesOfBob(), [E1]);
        assert.deepEqual([server.counters.writes, server.counters.held, server.counters.dropped], [1, 0, 0]);
      });

      it("apply-late: a write whose client waits is applied and answered after lateWriteMs", async () => {
        server.setFaults({ writes: "apply-late", lateWriteMs: 200 });
        const sent = Date.now();
        const res = await call("POST", `/users/${BOB}/assignLicense`, { body: addE1 });
        assert.ok(Date.now() - sent >= 200, `answered ${Date.now() - sent} ms after it was sent`);
        assert.equal(res.status, 200);
        assert.equal(res.body.id, BOB);
        assert.deepEqual(bobSkus(), [E1]);
        assert.equal(server.counters.writes, 1);
      });

      it("refuses an unknown write fault and keeps the current one", () => {
        server.setFaults({ writes: "hold" });
        assert.throws(
          () => server.setFaults({ writes: "drop" as "hold" }),
          /writes must be one of normal, hold, apply-then-504, apply-then-hang, apply-late, not drop/,
        );
        assert.equal(server.getFaults().writes, "hold");
        server.setFaults({ writes: "normal" });
      });
    });
  });

  describe("through @microsoft/microsoft-graph-client", () => {
    const client = () =>
      Client.init({ baseUrl: base, defaultVersion: "v1.0", authProvider: (done) => done(null, "unused") });

    it("reads with $select/$top and follows nextLinks by hand and with PageIterator", async () => {
      // A cast is an advanced query: the header goes with every page, the iterator's included.
      const first = (await client()
        .api(`/groups/${BIG_GROUP}/members/microsoft.graph.user`)
        .headers(EVENTUAL)
        .count(true)
        .select(["id", "userPrincipalName", "assignedLicenses"])
        .top(999)
        .get()) as Json;
      assert.equal(first.value!.length, 999);
      assert.deepEqual(Object.keys(first.value![0]!).sort(), [
        "@odata.type",
        "assignedLicenses",
        "id",
        "userPrincipalName",
      ]);
      const byHand = (await client()
        .api(first["@odata.nextLink"] as string)
        .headers(EVENTUAL)
        .get()) as Json;
      assert.equal(byHand.value!.length, 999);
      assert.equal(byHand.value![0]!.userPrincipalName, "bulk999@contoso.com");

      const upns: string[] = [];
      const iterator = new PageIterator(
        client(),
        first as PageCollection,
        (u: { userPrincipalName: string }) => {
          upns.push(u.userPrincipalName);
          return true;
        },
        { headers: EVENTUAL },
      );
      await iterator.iterate();
      assert.equal(upns.length, BIG_MEMBERS);
      assert.equal(new Set(upns).size, BIG_MEMBERS);
    });

    it("filters by a name that needs encoding when the caller encodes it", async () => {
      const page = (await client()
        .api("/groups")
        .filter(encodeURIComponent(`displayName eq ${odataString(WEIRD)}`))
        .select("id")
        .get()) as Json;
      assert.deepEqual(page.value, [{ id: WEIRD_GROUP }]);
    });

    it("surfaces Graph errors as the client's GraphError, and retries a 429 by itself", async () => {
      await assert.rejects(client().api("/users/ghost@contoso.com").get(), (e: unknown) => {
        assert.ok(e instanceof ClientGraphError);
        assert.equal(e.statusCode, 404);
        assert.equal(e.code, "Request_ResourceNotFound");
        return true;
      });
      server.setFaults({ throttleRate: 0.5, retryAfterSeconds: 0 });
      const skus = (await client().api("/subscribedSkus").select("skuId").get()) as Json;
      assert.equal(skus.value!.length, 2);
      assert.equal(server.counters.byRoute["GET /subscribedSkus"], 2, "one 429, one retry");
    });
  });
});
