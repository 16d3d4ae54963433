/**
 * The request kinds, keyed by the plan's `kind`: a plan kind without an entry does not compile.
 * The rest of the workflow asks `kindOf` rather than branching on the kind.
 */
import type { RequestPlan } from "../../requests/licenseRequest";
import type { StageReport } from "../../requests/stageReport";
import { changeKind } from "./change";
import type { RequestKind } from "./kind";
import { migrationKind } from "./migration";

export type { RequestKind } from "./kind";

/** The plan type whose `kind` can be K (a change's plan serves both of its kinds). */
type PlanOf<K extends RequestPlan["kind"], P extends RequestPlan = RequestPlan> = P extends RequestPlan
  ? K extends P["kind"]
    ? P
    : never
  : never;

/** One entry per plan kind, each serving exactly the plans of its kind. */
export type RequestKinds = { readonly [K in RequestPlan["kind"]]: RequestKind<PlanOf<K>, StageReport> };

export const REQUEST_KINDS: RequestKinds = {
  "group-change": changeKind,
  "user-change": changeKind,
  "direct-to-group": migrationKind,
};

/** The kind of a request with this plan; its methods are called with this plan. */
export function kindOf(plan: RequestPlan): RequestKind<RequestPlan, StageReport> {
  return REQUEST_KINDS[plan.kind];
}
