// The COPY text encoder (src/sink/copy.ts): escaping of hostile strings, NULL, numbers, booleans,
// JSON for jsonb columns, and a row's values in ROW_COLUMNS order. Pure: no database.
import t from "tap";
import { pb } from "@callctl/core";
import { CopyEncodeError, copyField, copyLine, copyText } from "../src/sink/copy.ts";
import { cdrRow, ROW_COLUMNS } from "../src/sink/rows.ts";

t.test("text: backslash, tab, newline, carriage return escaped; everything else as is", async (t) => {
  t.equal(copyText("plain 0049301234"), "plain 0049301234");
  t.equal(copyText("a\\b"), "a\\\\b");
  t.equal(copyText("a\tb\nc\rd"), "a\\tb\\nc\\rd");
  t.equal(copyText("\\N"), "\\\\N", "the literal text \\N is not NULL");
  t.equal(copyText("\\."), "\\\\.", "the end-of-data marker is escaped too");
  t.equal(copyText("\\\t\\n"), "\\\\\\t\\\\n");
  t.equal(copyText("Müller ☎ 電話 🎉 \u2028 \u000b \u000c \u0008"), "Müller ☎ 電話 🎉 \u2028 \u000b \u000c \u0008", "other characters pass unchanged");
  t.equal(copyText(""), "");
  t.equal(copyText("a\0b"), "a\uFFFDb", "NUL (never in PostgreSQL text) is stored as U+FFFD, not refused: its batch would block");
  t.equal(new CopyEncodeError("x").code, "CDR_COPY_UNENCODABLE");
});

t.test("fields: NULL, numbers, booleans, JSON", async (t) => {
  t.equal(copyField(null), "\\N");
  t.equal(copyField(undefined), "\\N");
  t.equal(copyField(0), "0");
  t.equal(copyField(-17), "-17");
  t.equal(copyField(1_736_931_600_000), "1736931600000");
  t.throws(() => copyField(Number.NaN), CopyEncodeError);
  t.throws(() => copyField(Number.POSITIVE_INFINITY), CopyEncodeError);
  t.equal(copyField(true), "t");
  t.equal(copyField(false), "f");
  t.equal(copyField({ a: "x\ty\n\\" }), '{"a":"x\\\\ty\\\\n\\\\\\\\"}', "JSON escapes, then every backslash doubled");
  t.equal(copyField([]), "[]");
  t.throws(() => copyField(Symbol("s")), CopyEncodeError);
});

t.test("a line: tab-separated values, one newline at the end, no raw control character inside", async (t) => {
  t.equal(copyLine(["a\tb", 1, null, true, { k: "\n" }]), 'a\\tb\t1\t\\N\tt\t{"k":"\\\\n"}\n');
  const row = cdrRow(pb.Cdr.create({ callId: "c\t1", caller: "Eve\n\\x", tariff: { tariffId: "t\r1" }, attempts: [{ trunkId: "t\tk" }], legs: [{ leg: "a", dialed: "0\n1" }] }), 7, false);
  t.same(Object.keys(row), ROW_COLUMNS, "Object.values(row) is in ROW_COLUMNS order");
  const line = copyLine(Object.values(row));
  t.equal(line.split("\t").length, ROW_COLUMNS.length);
  t.equal(line.indexOf("\n"), line.length - 1);
  t.notOk(line.includes("\r"));
});

t.test("NUL in JSON: stored as U+FFFD, a literal backslash-u0000 text kept", async (t) => {
  t.equal(copyField({ name: "a\0b" }), '{"name":"a\uFFFDb"}');
  t.equal(copyField({ name: "a\\u0000b" }), '{"name":"a\\\\\\\\u0000b"}', "text \\u0000 (six characters) is not a NUL");
});
