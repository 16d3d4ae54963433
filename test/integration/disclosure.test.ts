/**
 * A refused card action says nothing about the request it names: someone of another tenant, someone
 * of this tenant with no License Desk role, or an id Teams never gave, who sends Approve with a
 * request id (seen, guessed or counted) is told no, and is not shown who asked, for which group,
 * whom it moves or what it costs, nor even whether that request exists.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { BotHarness, PEOPLE, personalChatOf, type TeamsUser } from "../support/botHarness";
import { cardOf, cardTexts, onlyCard } from "../support/cardText";
import { DEMO, demo, demoGroup } from "../support/demoTenant";

const OTHER_TENANT = "9d1c3b7e-0000-4a1b-8c2d-3e4f5a6b7c8d";
const ADELE_CHAT = personalChatOf(PEOPLE.adele);

/** Everything the request card of "move group Marketing from E1 to E3" tells, as the demo has it. */
function requestSecrets(): string[] {
  const marketing = demoGroup("Marketing");
  const members = demo.users.filter((u) => marketing.members.includes(u.id));
  assert.equal(members.length, 25);
  return [
    PEOPLE.adele.name,
    "Marketing",
    ...members.flatMap((u) => [u.displayName, u.userPrincipalName, ...(u.mail ? [u.mail] : [])]),
    // Seats: E3 29 used of 124, E1 262 of 300; the change takes 25 of E3 and frees 25 of E1.
    "29",
    "124",
    "262",
    "300",
    "takes",
    "frees",
  ];
}

interface Attacker {
  readonly name: string;
  readonly from: TeamsUser;
  readonly tenantId?: string;
  /** Whether "request 1 exists" and "there is no request 999" must read the same to them. */
  readonly sameAnswer: boolean;
}

const ATTACKERS: readonly Attacker[] = [
  {
    name: "a user of another tenant",
    from: { id: "user-eve", name: "Eve Outsider", aadObjectId: "c0ffee00-1111-4222-8333-444455556666" },
    tenantId: OTHER_TENANT,
    sameAnswer: false,
  },
  { name: "Megan, of the tenant, neither requester nor approver", from: PEOPLE.megan, sameAnswer: true },
  {
    name: "an aadObjectId nobody has",
    from: { id: "user-nobody", name: "Nobody", aadObjectId: randomUUID() },
    sameAnswer: true,
  },
];

describe("a refused card action discloses nothing about the request", () => {
  let harness: BotHarness;
  before(async () => {
    harness = await BotHarness.start(DEMO);
    // Adele asks for a change in her chat: request #1, its card sent there.
    const preview = onlyCard(await harness.say("move group Marketing from E1 to E3"));
    const request = (preview.actions ?? []).find((a) => (a as { verb?: string }).verb === "requestApproval") as
      { data: unknown } | undefined;
    assert.ok(request, "the preview offers Request approval");
    const asked = await harness.invoke("requestApproval", request.data);
    // Answered at once; the request made is sent after the click (no clicked card id to update here).
    assert.equal(cardTexts(asked.card ?? { body: [] })[0], "Asking for approval…");
    assert.ok(asked.replies.some((r) => r.attachments && cardTexts(cardOf(r))[0] === "Approval requested: request #1"));
  });
  after(async () => harness.close());

  for (const attacker of ATTACKERS) {
    // From their own chat, and from the chat the request's card was shown in (a forged conversation id).
    for (const conversationId of [personalChatOf(attacker.from), ADELE_CHAT]) {
      const where = conversationId === ADELE_CHAT ? "in the requester's chat" : "in their own chat";
      it(`${attacker.name}, ${where}: Approve on request 1 and on 999 answers a notice that names nothing of the request`, async () => {
        const origin = {
          from: attacker.from,
          conversationId,
          ...(attacker.tenantId ? { tenantId: attacker.tenantId } : {}),
        };
        harness.simulator.counters.reset();
        const answers = [];
        for (const requestId of [1, 999]) {
          const answer = await harness.invoke("approve", { requestId, version: 1 }, origin);
          assert.equal(answer.status, 200);
          assert.ok(answer.card, "answered with a card");
          const texts = cardTexts(answer.card);
          assert.equal(texts[0], "Nothing was changed");
          assert.equal(texts.length, 2, `only the notice, got ${texts.join(" | ")}`);
          const shown = JSON.stringify(answer.card);
          for (const secret of requestSecrets())
            assert.ok(!shown.includes(secret), `the answer to #${requestId} shows "${secret}": ${texts.join(" | ")}`);
          assert.equal(answer.card.actions, undefined, "no buttons that carry the request");
          assert.deepEqual([answer.replies.length, answer.updates.length], [0, 0]);
          answers.push(texts);
        }
        if (attacker.sameAnswer) assert.deepEqual(answers[0], answers[1], "request 1 exists: the answer must not tell");
        assert.equal(harness.simulator.counters.writes, 0);
        assert.equal(harness.bot.approvals.get(1).status, "pending");
      });
    }
  }
});
