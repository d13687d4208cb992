// Two ends of a real loopback TCP connection, for the wire-level driver tests.
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";

export async function socketPair(): Promise<{ server: Socket; client: Socket; close: () => void }> {
  const srv = createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const client = connect((srv.address() as { port: number }).port, "127.0.0.1");
  const [server] = (await once(srv, "connection")) as [Socket];
  const close = () => {
    client.destroy();
    server.destroy();
    srv.close();
  };
  return { server, client, close };
}
