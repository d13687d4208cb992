// The byte scan of rate decks (deckscan.ts) and the packed trie (packed.ts): the same prices as
// the plain trie for any prefix set, the same document once the rates are set aside, and any
// input it does not take exactly (escapes, decimals, duplicates, bad entries) goes to the full
// parser, so compileOffThread still decides and refuses like compile() / validateConfig.
import { join } from "node:path";
import { ConfigFileError, readYamlConfig, validateConfig } from "@callctl/core";
import fc from "fast-check";
import t from "tap";
import { compile, compileOffThread, PackedPrefixTable, PrefixTable, Router, routingConfigSchema, scanDocument } from "../src/index.ts";

const EXAMPLE = join(import.meta.dirname, "../../../infra/config/example");
const MAX = 100_000_000;
const enc = (s: string) => new TextEncoder().encode(s);
type Doc = { rateDecks: Record<string, { version: string; rates: Record<string, number> }> } & Record<string, unknown>;
const example = () => structuredClone(readYamlConfig(EXAMPLE).doc) as Doc;

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });

t.test("packed trie: the longest prefix's value, like PrefixTable", async (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(digits(0, 8), fc.nat(MAX)), { maxLength: 200 }), fc.array(digits(0, 12), { maxLength: 50 }), (entries, probes) => {
      const plain = new PrefixTable(16);
      for (const [p, v] of entries) plain.set(p, v);
      const packed = PackedPrefixTable.from(entries);
      if (packed.size !== plain.size) return false;
      return [...probes, ...entries.map(([p]) => `${p}99`)].every((d) => packed.lookup(d) === plain.lookup(d) && packed.lookup(`x${d}`, 1) === plain.lookup(`x${d}`, 1));
    }),
    { numRuns: 300 },
  );
  t.throws(() => PackedPrefixTable.from([["49a", 1]]), RangeError);
});

t.test("scan: decks compiled, skeleton = document with rates {}", async (t) => {
  fc.assert(
    fc.property(fc.dictionary(digits(0, 15), fc.nat(MAX), { maxKeys: 300 }), fc.constantFrom(0, 2, "\t"), (rates, indent) => {
      const doc = example();
      const id = Object.keys(doc.rateDecks)[0]!;
      doc.rateDecks[id]!.rates = rates;
      doc.extra = { note: 'a "} {rates": {' }; // braces and quotes in strings elsewhere
      const r = scanDocument(enc(JSON.stringify(doc, null, indent)), MAX);
      if (!r.ok) return false;
      const want = structuredClone(doc);
      for (const d of Object.values(want.rateDecks)) d.rates = {};
      t.same(JSON.parse(r.skeleton), want);
      const deck = new PackedPrefixTable(r.decks.find(([k]) => k === id)![1]);
      const plain = new PrefixTable(16);
      for (const [p, v] of Object.entries(rates)) plain.set(p, v);
      return deck.size === plain.size && [...Object.keys(rates), "4930123", "1", ""].every((p) => deck.lookup(`${p}5`) === plain.lookup(`${p}5`));
    }),
    { numRuns: 60 },
  );
});

t.test("scan: what it does not take goes to the full parser", async (t) => {
  const deckText = (rates: string) => {
    const doc = example() as unknown as { rateDecks: Record<string, { rates: unknown }> };
    doc.rateDecks[Object.keys(doc.rateDecks)[0]!]!.rates = "@RATES@";
    return JSON.stringify(doc).replace('"@RATES@"', rates);
  };
  const cases = ['{"4\\u00391":5}', '{"491":5.0}', '{"491":5e2}', '{"491":-1}', '{"4912345678901234":5}', `{"491":${MAX + 1}}`, '{"49x":5}', '{"491":05}', "[]"];
  for (const c of cases) {
    const text = deckText(c);
    t.equal(scanDocument(enc(text), MAX).ok, false, c);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      await t.rejects(compileOffThread(text), c); // not JSON at all
      continue;
    }
    const want = routingConfigSchema.safeParse(doc);
    if (want.success) {
      const sync = compile(want.data, 1);
      const off = await compileOffThread(enc(text), 1);
      const a = new Router({ tables: sync, now: () => 0 });
      const b = new Router({ tables: off, now: () => 0 });
      for (const dialed of ["01097004912345", "0109703012345", "01097004420712345"]) t.same(b.decide({ dialed, caller: "49301234567" }), a.decide({ dialed, caller: "49301234567" }), `${c} ${dialed}`);
    } else {
      const issues = (t.throws(() => validateConfig(routingConfigSchema, doc, {}, "(config)")) as unknown as ConfigFileError).issues;
      const got = await compileOffThread(text).catch((e: unknown) => e);
      t.ok(got instanceof ConfigFileError, c);
      t.same((got as ConfigFileError).issues, issues, c);
    }
  }
  t.equal(scanDocument(enc(`{"rateDecks":{},"rateDecks":{}}`), MAX).ok, false, "rateDecks twice");
  t.equal(scanDocument(enc(`{"rateDecks":{"a":{"rates":{},"rates":{}}}}`), MAX).ok, false, "rates twice");
  t.equal(scanDocument(enc(`{"rateDecks":{"a":{"rates":{}},"a":{"rates":{}}}}`), MAX).ok, false, "deck twice");
  t.equal(scanDocument(enc("[1]"), MAX).ok, false);
  // a broken document outside the rates: the scan may pass it on, JSON.parse of the rest refuses it
  await t.rejects(compileOffThread(`{"rateDecks":{"a":{"rates":{"49":1}}},"x":[1,}`));
  await t.rejects(compileOffThread(`{"rateDecks":{"a":{"rates":{"49":1}}}} trailing`));
});

t.test("bytes moved to the worker: the caller's view is detached, the tables the same", async (t) => {
  const json = JSON.stringify(example());
  const bytes = enc(json);
  const moved = await compileOffThread(bytes, 2, undefined, true);
  t.equal(bytes.byteLength, 0);
  t.equal(moved.version, compile(routingConfigSchema.parse(JSON.parse(json)), 2).version);
  // moved, and the scan does not take it: the worker hands the bytes back for the full path
  const odd = example() as unknown as { rateDecks: Record<string, { rates: unknown }> };
  odd.rateDecks[Object.keys(odd.rateDecks)[0]!]!.rates = "@R@";
  const oddJson = JSON.stringify(odd).replace('"@R@"', '{"491":5.0}');
  const viaFull = await compileOffThread(enc(oddJson), 2, undefined, true);
  t.equal(viaFull.version, compile(routingConfigSchema.parse(JSON.parse(oddJson)), 2).version);
  await t.rejects(compileOffThread(enc(`{"rateDecks":{"a":{"rates":{"49":1}}},"x":[1,}`), 2, undefined, true), { message: /not valid JSON/ }, "JSON.parse's own message");
  const shared = Buffer.concat([Buffer.from("xx"), Buffer.from(json)]).subarray(2); // shares its buffer: copied, not moved
  await compileOffThread(shared, 2, undefined, true);
  t.equal(shared.toString(), json);
  // views into a larger buffer, several documents at the same time: each copied for its worker,
  // and one the scan does not take still reaches the full path
  const view = (text: string) => Buffer.concat([Buffer.from("xx"), Buffer.from(text)]).subarray(2);
  const [x, y, z] = await Promise.all([compileOffThread(view(json), 5), compileOffThread(view(oddJson), 6), compileOffThread(view(json), 7)]);
  t.same([x.version.slice(0, 3), y.version.slice(0, 3), z.version.slice(0, 3)], ["r5-", "r6-", "r7-"]);
  t.equal(y.version.slice(3), compile(routingConfigSchema.parse(JSON.parse(oddJson)), 6).version.slice(3));
  t.equal(x.version.slice(3), z.version.slice(3));
});

t.test("a deck-only update reuses the validated rest; anything else is validated again", async (t) => {
  const base = example();
  const id = Object.keys(base.rateDecks)[0]!;
  const sameAsSync = async (doc: Doc, rev: number) => {
    const json = JSON.stringify(doc);
    const off = await compileOffThread(enc(json), rev);
    const sync = compile(routingConfigSchema.parse(JSON.parse(json)), rev);
    t.equal(off.version, sync.version, `version r${rev}`);
    const a = new Router({ tables: sync, now: () => 0 });
    const b = new Router({ tables: off, now: () => 0 });
    for (const dialed of ["01097004912345", "0109703012345", "01097004420712345", "010970043664123456"]) t.same(b.decide({ dialed, caller: "49301234567" }), a.decide({ dialed, caller: "49301234567" }));
    return off;
  };
  const first = await sameAsSync(base, 1);
  const cheaper = structuredClone(base);
  cheaper.rateDecks[id]!.version = "v-next";
  for (const p of Object.keys(cheaper.rateDecks[id]!.rates)) cheaper.rateDecks[id]!.rates[p] = 1;
  const second = await sameAsSync(cheaper, 2);
  t.equal(second.plan, first.plan, "number plan reused");
  t.not(second.config.rateDecks, first.config.rateDecks);
  // outside the decks changed: validated again (a bad value is refused with the schema's issues)
  const badLcr = structuredClone(cheaper) as Doc & { lcr: unknown };
  badLcr.lcr = { maxCandidates: 0 };
  const want = (t.throws(() => validateConfig(routingConfigSchema, badLcr, {}, "(config)")) as unknown as ConfigFileError).issues;
  t.same(((await compileOffThread(JSON.stringify(badLcr)).catch((e: unknown) => e)) as ConfigFileError).issues, want);
  // a deck removed that a trunk uses, or one with an extra key: the full validation reports it
  for (const edit of [(d: Doc) => delete d.rateDecks[id], (d: Doc) => Object.assign(d.rateDecks[id]!, { extra: 1 }), (d: Doc) => Object.assign(d.rateDecks[id]!, { version: "" })]) {
    await sameAsSync(cheaper, 3); // the previous document is the cheaper one again
    const bad = structuredClone(cheaper);
    edit(bad);
    const issues = (t.throws(() => validateConfig(routingConfigSchema, bad, {}, "(config)")) as unknown as ConfigFileError).issues;
    t.same(((await compileOffThread(JSON.stringify(bad)).catch((e: unknown) => e)) as ConfigFileError).issues, issues);
  }
  const renamed = structuredClone(cheaper);
  renamed.rateDecks["spare-deck"] = { version: "1", rates: { "49": 5 } };
  await sameAsSync(renamed, 4); // a new deck id: validated again, still the same tables
});
