/**
 * What the parts of the workflow that move a request on share: the request records, Graph, the
 * cards and messages, the background work, the follow-up of Entra's processing and the clock.
 */
import type { Logger } from "../log";
import type { BackgroundWork } from "./background";
import type { GroupProcessing } from "./followUp";
import type { Notifications } from "./notifications";
import type { RequestRecords } from "./records";
import type { Clock, Previews, WorkflowGraph } from "./types";

export interface WorkflowContext {
  readonly records: RequestRecords;
  readonly graph: WorkflowGraph;
  readonly previews: Previews;
  readonly notices: Notifications;
  readonly work: BackgroundWork;
  readonly groupProcessing: GroupProcessing;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long one Graph request may take: after a restart, an unanswered write is given this long to take effect. */
  readonly graphTimeoutMs: number;
}
