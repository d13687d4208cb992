// Prompt set completeness (issue 4): every prompt id any playlist can contain exists in the
// generated set (scripts/bootstrap.d/prompts.sh), is an 8 kHz mono 16-bit WAV, and is not silent.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { amount, balanceAnnouncement, priceAnnouncement, priceChangeAnnouncement, promptCatalog, rejectAnnouncement, REJECT_TEXTS, remainingTimeAnnouncement } from "../src/index.ts";
import { promptDir, readManifest } from "../src/prompts/durations.ts";
import { parseWav, rms, resample, writeWav } from "../src/prompts/wav.ts";

const ROUTING_AND_CREDIT_REASONS = [
  "UNKNOWN_CARRIER_CODE", "INVALID_NUMBER", "EMERGENCY_NOT_VIA_CARRIER", "BLOCKED_DESTINATION", "BLOCKED_PREMIUM", "BLOCKED_BY_CUSTOMER",
  "DESTINATION_NOT_ALLOWED", "CRITICAL_COUNTRY", "NOT_REGISTERED", "NO_ROUTE", "NO_CREDIT", "ACCOUNT_BLOCKED", "LIMIT_EXCEEDED", "NODE_DRAINING", "SERVICE_UNAVAILABLE",
];

/** Every playlist the service can produce, by sweeping each builder over its whole input range. */
function allPlaylistIds(): Set<string> {
  const ids = new Set<string>();
  const add = (p: readonly string[]) => {
    for (const id of p) ids.add(id);
  };
  for (let h = 0; h < 100_000; h++) {
    add(amount(h * 100, "cent").playlist);
    add(amount(h * 100, "euro").playlist);
  }
  for (const unit of ["cent", "euro", "auto"] as const) {
    add(priceAnnouncement({ pricePerMinMicro: 39_000, connectFeeMicro: 90_000, unit, chargeDelayMs: 3000, free: false }).playlist);
    add(priceAnnouncement({ pricePerMinMicro: 0, connectFeeMicro: 0, unit, chargeDelayMs: 5000, free: true }).playlist);
  }
  for (let m = 0; m < 1440; m++) add(priceChangeAnnouncement(m, 19_000, "cent").playlist);
  for (let s = 0; s < 200_000; s += 7) add(remainingTimeAnnouncement(s).playlist);
  for (const b of [0, 10_000, 350_000, 1_000_000, 12_500_000, 99_990_000]) add(balanceAnnouncement(b).playlist);
  for (const r of [...ROUTING_AND_CREDIT_REASONS, ...Object.keys(REJECT_TEXTS), "SOMETHING_NEW"]) ids.add(rejectAnnouncement(r).id);
  return ids;
}

t.test("every reject reason of routing and credit has its own announcement", async (t) => {
  for (const r of ROUTING_AND_CREDIT_REASONS) t.equal(rejectAnnouncement(r).id, `reject/${r.toLowerCase()}`, r);
  t.equal(rejectAnnouncement("SOMETHING_NEW").id, "reject/service_unavailable", "unknown reasons fall back");
});

t.test("every playlist id is in the catalog", async (t) => {
  const catalog = promptCatalog();
  const missing = [...allPlaylistIds()].filter((id) => !catalog.has(id));
  t.same(missing, []);
});

t.test("wav helpers", async (t) => {
  const tone = new Int16Array(22050).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 22050)));
  const down = resample(tone, 22050, 8000);
  t.equal(down.length, 8000);
  t.ok(Math.abs(rms(down) - 8000 / Math.SQRT2) < 200, "a 440 Hz tone keeps its level");
  const back = parseWav(writeWav(down, 8000));
  t.match(back, { sampleRate: 8000, channels: 1, bitsPerSample: 16 });
  t.same(back.samples, down);
});

t.test("the generated set is complete, 8 kHz mono 16-bit, and not silent", async (t) => {
  const dir = promptDir();
  const manifest = readManifest(dir);
  if (!manifest) {
    t.fail(`no prompt set in ${dir}: run scripts/bootstrap.d/prompts.sh`);
    return;
  }
  const catalog = promptCatalog();
  const problems: string[] = [];
  for (const id of allPlaylistIds()) {
    const e = manifest.prompts[id];
    const f = join(dir, `${id}.wav`);
    if (!e || !existsSync(f)) {
      problems.push(`${id}: missing`);
      continue;
    }
    if (e.text !== catalog.get(id)) problems.push(`${id}: stale text`);
    const w = parseWav(readFileSync(f));
    if (w.sampleRate !== 8000 || w.channels !== 1 || w.bitsPerSample !== 16) problems.push(`${id}: ${w.sampleRate} Hz ${w.channels} ch ${w.bitsPerSample} bit`);
    const level = rms(w.samples);
    if (w.samples.length < 800 || level < 300) problems.push(`${id}: silent or too short (rms ${level.toFixed(0)}, ${w.samples.length} samples)`);
  }
  t.same(problems.slice(0, 20), [], `${problems.length} problems`);
});
