import assert from "node:assert/strict";
import { notFound, NOT_A_MEMBER, OTHER_TENANT, requireCurrent } from "../../src/approval/access";
import { ActionRefused } from "../../src/approval/types";
import { ADELE, ADELE_CHAT, NOBODY, PATTI, PATTI_CHAT, refused, STRANGER, workflow } from "./fixtures";

describe("approval access", () => {
  it("each refusal reads the same to an outsider whether the request exists or not", async () => {
    const w = workflow();
    const stored = await w.request();
    for (const [actor, conversation, code, text] of [
      [STRANGER, ADELE_CHAT, "otherTenant", OTHER_TENANT],
      [NOBODY, ADELE_CHAT, "noRole", NOT_A_MEMBER],
      [PATTI, PATTI_CHAT, "notFound", notFound(stored.id)],
    ] as const) {
      const onExisting = await refused(w.access.request(actor, stored.id, "approver", conversation));
      const onMissing = await refused(w.access.request(actor, 999, "approver", conversation));
      assert.deepEqual([onExisting.code, onExisting.userMessage], [code, text]);
      assert.deepEqual([onMissing.code, onMissing.userMessage], [code, actor === PATTI ? notFound(999) : text]);
      assert.equal(onExisting.request, undefined);
    }
    assert.equal(
      notFound(1),
      `I found no request #1 that you can act on here. Check the number on its card, or say "my requests". Nothing was changed.`,
    );
  });

  it("a requester pressing an approver's button where it was shown is told so, and shown the request", async () => {
    const w = workflow();
    const stored = await w.request();
    const error = await w.access.request(ADELE, stored.id, "approver", ADELE_CHAT).catch((e: unknown) => e);
    assert.ok(error instanceof ActionRefused);
    assert.equal(error.code, "roleRequired");
    assert.equal(
      error.userMessage,
      "Only License Desk approvers can do that, and you are not one. Ask an approver, or your Teams administrator to add you.",
    );
    assert.equal(error.request?.id, stored.id);
  });

  it("a stale card and a decided request are refused with where they stand", async () => {
    const w = workflow();
    const stored = await w.request();
    assert.throws(
      () => requireCurrent(stored, stored.version - 1),
      new ActionRefused(
        "staleCard",
        `This card is out of date: request #${stored.id} has changed since it was shown. Look at the updated card and try again.`,
      ),
    );
    const rejected = await w.decisions.reject(PATTI, stored.id, stored.version, "not now", ADELE_CHAT);
    assert.throws(
      () => requireCurrent(rejected, rejected.version),
      new ActionRefused(
        "notPending",
        `Request #${stored.id} is already rejected by Patti Fernandez. Nothing more was done.`,
      ),
    );
  });
});
