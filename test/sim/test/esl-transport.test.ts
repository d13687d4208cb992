// The outbound transports under an ESL session (src/esl/transport.ts): the libuv TCP handle and the
// net.Socket fallback must look the same to a session: bytes as UTF-8, end after the queued writes,
// the peer's close ending ours, a failed or abandoned connect reported once, back-pressure and drain.
import net from "node:net";
import t from "tap";
import { type Conn, type ConnOwner, connectOutbound, type Transport, uvAvailable } from "../src/esl/transport.ts";

type Peer = { sock: net.Socket; got: Buffer[]; ended: Promise<void> };

async function listen(allowHalfOpen = false): Promise<{ port: number; peer: Promise<Peer>; close(): Promise<void> }> {
  let accept!: (p: Peer) => void;
  const peer = new Promise<Peer>((r) => (accept = r));
  const server = net.createServer({ allowHalfOpen }, (sock) => {
    const got: Buffer[] = [];
    sock.on("data", (d) => got.push(d));
    const ended = new Promise<void>((r) => sock.on("end", () => r()));
    accept({ sock, got, ended });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return { port, peer, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A session stand-in: what the connection reported, in order. */
function owner() {
  const log: string[] = [];
  const bytes: Buffer[] = [];
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  const o: ConnOwner = {
    received: (d, n) => {
      bytes.push(Buffer.from(d.subarray(0, n)));
      log.push("data");
    },
    drained: () => log.push("drain"),
    socketClosed: () => {
      log.push("close");
      closed();
    },
  };
  return { o, log, bytes, done };
}

function connect(port: number, transport: Transport, host = "127.0.0.1") {
  return new Promise<{ c: Conn; e?: Error }>((r) => {
    let sync = true;
    const c = connectOutbound(host, port, (c, e) => r({ c, e, ...(sync ? { e: new Error("called synchronously") } : {}) }), transport);
    sync = false;
    void c;
  });
}

const transports: Transport[] = uvAvailable ? ["uv", "net"] : ["net"];
if (process.env.SIM_NET_ONLY !== "1") t.ok(uvAvailable, "Node 20 exposes the libuv TCP handle (else outbound calls run on net.Socket)");

for (const tr of transports) {
  t.test(`${tr}: UTF-8 both ways; end() sends the queued writes, then closes without waiting for the peer`, async (t) => {
    const srv = await listen(true);
    const { c, e } = await connect(srv.port, tr);
    t.equal(e, undefined);
    const o = owner();
    c.owner = o.o;
    const p = await srv.peer;
    t.ok(c.writable);
    c.write("Caller-Caller-ID-Name: Jürgen Müller\n");
    c.write("x".repeat(200_000));
    p.sock.write("api uuid_kill ä\n\n");
    await new Promise((r) => setTimeout(r, 50));
    t.equal(Buffer.concat(o.bytes).toString("utf8"), "api uuid_kill ä\n\n");
    c.end();
    t.notOk(c.writable, "not writable after end()");
    c.write("dropped");
    await p.ended;
    const all = Buffer.concat(p.got).toString("utf8");
    t.equal(all, "Caller-Caller-ID-Name: Jürgen Müller\n" + "x".repeat(200_000), "every queued byte before the FIN, nothing after");
    await o.done;
    t.same(o.log, ["data", "close"], "closed once the FIN is out, without waiting for the peer's (FreeSWITCH's close_socket)");
    // The peer's later writes are refused, as by a switch that has closed its socket.
    const refused = new Promise<string>((r) => p.sock.on("error", (err: NodeJS.ErrnoException) => r(err.code ?? "")));
    const writeLater = setInterval(() => p.sock.write("exit\n\n"), 10);
    t.match(await refused, /^(EPIPE|ECONNRESET)$/);
    clearInterval(writeLater);
    await srv.close();
  });

  t.test(`${tr}: the peer closes first: our side ends after the queued writes`, async (t) => {
    const srv = await listen();
    const { c } = await connect(srv.port, tr);
    const o = owner();
    c.owner = o.o;
    const p = await srv.peer;
    p.sock.end("bye\n");
    await new Promise((r) => setTimeout(r, 50));
    await o.done;
    await p.ended;
    t.same(o.log, ["data", "close"]);
    t.equal(Buffer.concat(o.bytes).toString(), "bye\n");
    t.notOk(c.writable);
    await srv.close();
  });

  t.test(`${tr}: refused connect reported once, with the error`, async (t) => {
    const srv = await listen();
    const port = srv.port;
    await srv.close();
    const { e } = await connect(port, tr);
    t.equal((e as NodeJS.ErrnoException | undefined)?.code, "ECONNREFUSED");
  });

  t.test(`${tr}: back-pressure: needDrain past 16 KB queued, drained once the peer reads, nothing lost`, async (t) => {
    const srv = await listen();
    const { c } = await connect(srv.port, tr);
    const o = owner();
    c.owner = o.o;
    const p = await srv.peer;
    p.sock.pause();
    const chunk = "y".repeat(65536);
    let sent = 0;
    while (!c.needDrain && sent < 256 * chunk.length) {
      c.write(chunk);
      sent += chunk.length;
    }
    t.ok(c.needDrain, `needDrain after ${sent} bytes to a peer that does not read`);
    t.notOk(o.log.includes("drain"));
    p.sock.resume();
    while (!o.log.includes("drain")) await new Promise((r) => setTimeout(r, 10));
    t.notOk(c.needDrain, "clear after the drain");
    c.end();
    await p.ended;
    t.equal(Buffer.concat(p.got).length, sent);
    t.equal(o.log.filter((l) => l === "drain").length, 1, "one drain");
    p.sock.end();
    await o.done;
    await srv.close();
  });

  t.test(`${tr}: ended or destroyed before connected: the connect fails, once`, async (t) => {
    const srv = await listen();
    const ways: Array<[string, (c: Conn) => void, RegExp]> = [
      ["destroy(e)", (c) => c.destroy(new Error("connect timeout")), /^connect timeout$/],
      ["destroy()", (c) => c.destroy(), /before connected/],
      ["end()", (c) => c.end(), /before connected/],
    ];
    for (const [how, stop, message] of ways) {
      let calls = 0;
      const failed = new Promise<Error | undefined>((r) => {
        const c = connectOutbound(
          "127.0.0.1",
          srv.port,
          (_c, e) => {
            calls++;
            r(e);
          },
          tr,
        );
        stop(c);
      });
      t.match((await failed)?.message, message, how);
      await new Promise((r) => setTimeout(r, 50));
      t.equal(calls, 1, `${how}: reported once`);
    }
    await srv.close();
  });

  t.test(`${tr}: the peer resets with writes queued: closed, no drain`, async (t) => {
    const srv = await listen();
    const { c } = await connect(srv.port, tr);
    const o = owner();
    c.owner = o.o;
    const p = await srv.peer;
    p.sock.on("error", () => undefined);
    p.sock.pause();
    while (!c.needDrain) c.write("z".repeat(65536));
    p.sock.end();
    await new Promise((r) => setTimeout(r, 50));
    p.sock.resetAndDestroy();
    await o.done;
    t.same(o.log, ["close"], "a failed write is not a drain");
    t.notOk(c.writable);
    await srv.close();
  });

  t.test(`${tr}: destroy() drops queued writes and closes at once`, async (t) => {
    const srv = await listen();
    const { c } = await connect(srv.port, tr);
    const o = owner();
    c.owner = o.o;
    const p = await srv.peer;
    const closed = new Promise<void>((r) => p.sock.on("close", () => r()));
    c.destroy();
    await o.done;
    await closed;
    t.same(o.log, ["close"]);
    t.notOk(c.writable);
    await srv.close();
  });
}

t.test("a port the libuv handle cannot take goes to net.connect: converted or a typed error, never an abort", async (t) => {
  for (const bad of [70000, -1, 1.5]) {
    t.throws(() => connectOutbound("127.0.0.1", bad, () => t.fail("connected"), "uv"), { code: "ERR_SOCKET_BAD_PORT" }, String(bad));
  }
  const srv = await listen();
  const { c, e } = await connect(String(srv.port) as unknown as number, "uv");
  t.equal(e, undefined, "a numeric string port connects (as net.connect converts it)");
  t.equal(c.constructor.name, "NetConn");
  c.destroy();
  await srv.close();
});

t.test("a host name (not an IPv4 address) falls back to net.Socket", async (t) => {
  const srv = await listen();
  const { c, e } = await connect(srv.port, "uv", "localhost");
  if (e && (e as NodeJS.ErrnoException).code === "ECONNREFUSED") {
    t.pass("localhost resolves to ::1 only here: the fallback was taken (no IPv4 listener to reach)");
  } else {
    t.equal(e, undefined);
    t.equal(c.constructor.name, "NetConn");
    c.destroy();
  }
  await srv.close();
});
