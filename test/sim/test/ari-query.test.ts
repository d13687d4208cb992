// The REST query parser reads what `new URL(req.url).searchParams` read before it (the simulator
// no longer builds a URL per request): same names, values, repeated names and stray escapes.
// No raw spaces: an HTTP request-target cannot hold one (URL would also trim them at the ends).
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import t from "tap";
import { decodeSegment, parseQuery } from "../src/ari/rest.ts";
import { FIX } from "./helpers.ts";

const old = (qs: string) => Object.fromEntries(new URL(`/ari/channels?${qs}`, "http://x").searchParams);
const piece = fc.constantFrom("a", "b", "endpoint", "PJSIP/49301234567@gw1", "=", "&", "%", "%2", "%2F", "%41", "%C3%A9", "%E2", "+", "é", "?", ",", "api_key", "ari:ari", "__proto__", "");

t.test("parseQuery equals URLSearchParams on arbitrary query strings", async (t) => {
  // One assertion for the property (fast-check reports the smallest failing query string).
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (ps) => isDeepStrictEqual({ ...parseQuery(ps.join("")) }, old(ps.join("")))),
      { numRuns: 3000 },
    ),
  );
  t.same(parseQuery("endpoint=PJSIP%2F4930%40gw1&app=callctl&appArgs=dialed,1.2&app=x"), { endpoint: "PJSIP/4930@gw1", app: "x", appArgs: "dialed,1.2" });
  t.same(parseQuery(""), {});
});

t.test("a path segment decodes as Asterisk's ast_uri_decode: %XX pairs decoded, any other % kept", async (t) => {
  t.equal(decodeSegment("1733000000.12"), "1733000000.12");
  t.equal(decodeSegment("a%2Fb%20c"), "a/b c");
  t.equal(decodeSegment("my%id"), "my%id", "a stray % stays (decodeURIComponent throws here)");
  t.equal(decodeSegment("%E0%A4%A"), "\ufffd%A", "an incomplete UTF-8 sequence and a short escape");
  t.equal(decodeSegment("%41%ZZ"), "A%ZZ");
  // Any input: no throw, and a segment without % is itself.
  t.doesNotThrow(() =>
    fc.assert(fc.property(fc.array(piece, { maxLength: 8 }), (ps) => typeof decodeSegment(ps.join("")) === "string" && (ps.join("").includes("%") || decodeSegment(ps.join("")) === ps.join("")))),
  );
});

t.test("blob events keep Asterisk's key order: the blob's fields, then type and timestamp (as recorded)", async (t) => {
  const { ariEvent } = await import("../src/ari/model.ts");
  const { ariEvents, readAriFixture } = await import("../src/index.ts");
  const rec = ariEvents(readAriFixture(`${FIX}ari/bridged-call.jsonl`));
  for (const [type, fields] of [
    ["ChannelHangupRequest", { cause: 16, soft: true, channel: {} }],
    ["ChannelVarset", { variable: "x", value: "1", channel: {} }],
  ] as const) {
    const recorded = rec.find((e) => e.type === type && Object.keys(fields).every((k) => k in e))!;
    const want = Object.keys(recorded).filter((k) => k !== "asterisk_id" && k !== "application");
    t.same(Object.keys(ariEvent(type, { ...fields })), want, type);
  }
  t.same(Object.keys(ariEvent("StasisEnd", { channel: {} })), ["type", "timestamp", "channel"], "others: type first");
});
