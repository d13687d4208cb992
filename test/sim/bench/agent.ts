// A trivial ESL outbound "agent" for the simulator benchmark: for every call it pipelines connect,
// a narrow subscription, and a bridge, then reads until FreeSWITCH closes the socket.
// argv[2]: "plain3" (default: 3 plain event types) or "json7" (the switch agent's subscription).
import net from "node:net";

const EVENTS =
  process.argv[2] === "json7"
    ? "event json CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE"
    : "event plain CHANNEL_ANSWER CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP_COMPLETE";

const server = net.createServer({ noDelay: true }, (sock) => {
  let buf = "";
  let uuid = "";
  sock.setEncoding("latin1");
  sock.on("data", (d: string) => {
    if (uuid) return; // events are read and dropped
    buf += d;
    const m = /\nUnique-ID: ([0-9a-f-]{36})\n/.exec(buf);
    if (!m) return;
    uuid = m[1]!;
    buf = "";
    sock.write(
      `filter Unique-ID ${uuid}\n\n${EVENTS}\n\n` +
        `sendmsg\ncall-command: execute\nexecute-app-name: bridge\nexecute-app-arg: {call_timeout=20}sofia/gateway/gw1/${uuid.slice(0, 8)}\nEvent-UUID: ${uuid}\n\n`,
    );
  });
  sock.on("error", () => undefined);
  sock.write("connect\n\n");
});
process.on("message", (m) => {
  if (m === "cpu") process.send?.({ cpu: process.cpuUsage() });
  if (m === "exit") process.exit(0);
});
// A deep accept queue: an overflowed SYN is retried after 1 s, 3 s, ... (PDD in seconds, calls "open").
server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => process.send?.((server.address() as net.AddressInfo).port));
