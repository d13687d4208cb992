// npm run soak:cdr [-- --calls 50000 --rate 800]: the crash run at full size (kill -9 of the
// assembler and the sink at random moments, one nats-server kill and restart), one JSON line.
import { parseArgs } from "node:util";
import { crashRun } from "../test/crash/run.ts";

const { values } = parseArgs({ options: { calls: { type: "string", default: "50000" }, rate: { type: "string", default: "800" } } });
const r = await crashRun({ calls: Number(values.calls), rate: Number(values.rate), chaos: true, natsRestart: true, log: (s) => process.stderr.write(`${s}\n`) });
const ok = r.streamCdrs === r.calls && r.streamDistinct === r.calls && r.pgRows === r.calls && r.pgDistinct === r.calls && r.debitMismatch === 0;
process.stdout.write(`${JSON.stringify({ ok, ...r })}\n`);
process.exit(ok ? 0 : 1);
