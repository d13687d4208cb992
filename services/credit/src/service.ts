// The NATS face of the credit service: callctl.credit.authorize | extend | commit | release |
// settle.batch (many commits/releases in one request, batch.ts) | adgrant.
import { type callctl, type Logger, type NatsConnection, pb, SUBJECTS, startService } from "@callctl/core";
import type { Meter, Tracer } from "@opentelemetry/api";
import type { Redis } from "ioredis";
import { AccountAdmin } from "./admin.ts";
import { settleBatch } from "./batch.ts";
import type { CreditPolicy } from "./policy.ts";
import { CreditStore } from "./store.ts";

export interface CreditServiceOptions {
  nc: NatsConnection;
  redis: Redis;
  log: Logger;
  tracer: Tracer;
  meter?: Meter;
  prefix?: string;
  policy?: CreditPolicy;
  clock?: () => number;
  /** NATS service name/queue group; tests may isolate it. */
  name?: string;
  /** Subjects (default SUBJECTS.credit*): parallel tests serve their own to not share a queue group. */
  subjects?: Partial<CreditSubjects>;
}

export interface CreditSubjects {
  authorize: string;
  extend: string;
  commit: string;
  release: string;
  /** Ad-funded talk time grants from the web / callback side (000 §5.3). */
  adGrant: string;
  /** Many commits/releases in one request (the CDR assembler; batch.ts). */
  settleBatch: string;
}

export const CREDIT_SUBJECTS: CreditSubjects = { authorize: SUBJECTS.creditAuthorize, extend: SUBJECTS.creditExtend, commit: SUBJECTS.creditCommit, release: SUBJECTS.creditRelease, adGrant: SUBJECTS.creditAdGrant, settleBatch: SUBJECTS.creditSettleBatch };

/** Subjects under a private root, e.g. `test.x1y2.credit.authorize`, for tests that run in parallel. */
export function creditSubjects(root: string): CreditSubjects {
  return { authorize: `${root}.authorize`, extend: `${root}.extend`, commit: `${root}.commit`, release: `${root}.release`, adGrant: `${root}.adgrant`, settleBatch: `${root}.settle.batch` };
}

export interface CreditService {
  store: CreditStore;
  admin: AccountAdmin;
  stop(): Promise<void>;
}

export async function startCreditService(opts: CreditServiceOptions): Promise<CreditService> {
  const subj = { ...CREDIT_SUBJECTS, ...(opts.subjects ?? {}) };
  const store = new CreditStore({ redis: opts.redis, prefix: opts.prefix, policy: opts.policy, clock: opts.clock, log: opts.log, meter: opts.meter });
  const admin = new AccountAdmin(store);
  const svc = await startService(
    opts.nc,
    {
      name: opts.name ?? "credit",
      version: "0.1.0",
      description: "online charging: reservations, prepaid, free minutes, ad-funded time, fraud limits",
      endpoints: [
        { name: "authorize", subject: subj.authorize, request: pb.AuthorizeRequest, reply: pb.Authorization, validate: (r) => store.validateAuthorize(r), handle: (r) => store.authorize(r) },
        { name: "extend", subject: subj.extend, request: pb.ExtendRequest, reply: pb.Authorization, handle: (r) => store.extend(r) },
        { name: "commit", subject: subj.commit, request: pb.CommitRequest, reply: pb.CommitResult, handle: (r) => store.commit(r) },
        { name: "release", subject: subj.release, request: pb.ReleaseRequest, reply: pb.CommitResult, handle: (r) => store.release(r) },
        { name: "settle-batch", subject: subj.settleBatch, request: pb.SettleBatchRequest, reply: pb.SettleBatchResult, handle: (r) => settleBatch(store, r) },
        {
          name: "adgrant",
          subject: subj.adGrant,
          request: pb.AdGrantRequest,
          reply: pb.AdGrantResult,
          handle: async (r: callctl.v1.IAdGrantRequest) => {
            const session = r.sessionId ?? "";
            if (r.endSession) {
              await admin.endSession(session);
              return pb.AdGrantResult.create({ sessionId: session });
            }
            const g = await admin.grantAdTime(session, Number(r.adMinutes ?? 0), r.zone || undefined);
            return pb.AdGrantResult.create({ sessionId: session, adMinutes: g.adMinutes, talkS: g.talkSecondsForZone ?? 0, expiresAtMs: g.expiresAtMs });
          },
        },
      ],
    },
    { log: opts.log, tracer: opts.tracer },
  );
  return {
    store,
    admin,
    stop: async () => {
      await svc.stop();
    },
  };
}
