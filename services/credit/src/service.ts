// The NATS face of the credit service: callctl.credit.authorize | extend | commit | release.
import { type Logger, type NatsConnection, pb, SUBJECTS, startService } from "@callctl/core";
import type { Meter, Tracer } from "@opentelemetry/api";
import type { Redis } from "ioredis";
import { AccountAdmin } from "./admin.ts";
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
}

export const CREDIT_SUBJECTS: CreditSubjects = { authorize: SUBJECTS.creditAuthorize, extend: SUBJECTS.creditExtend, commit: SUBJECTS.creditCommit, release: SUBJECTS.creditRelease };

/** Subjects under a private root, e.g. `test.x1y2.credit.authorize`, for tests that run in parallel. */
export function creditSubjects(root: string): CreditSubjects {
  return { authorize: `${root}.authorize`, extend: `${root}.extend`, commit: `${root}.commit`, release: `${root}.release` };
}

export interface CreditService {
  store: CreditStore;
  admin: AccountAdmin;
  stop(): Promise<void>;
}

export async function startCreditService(opts: CreditServiceOptions): Promise<CreditService> {
  const subj = { ...CREDIT_SUBJECTS, ...(opts.subjects ?? {}) };
  const store = new CreditStore({ redis: opts.redis, prefix: opts.prefix, policy: opts.policy, clock: opts.clock, log: opts.log, meter: opts.meter });
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
      ],
    },
    { log: opts.log, tracer: opts.tracer },
  );
  return {
    store,
    admin: new AccountAdmin(store),
    stop: async () => {
      await svc.stop();
    },
  };
}
