// Health, readiness and Prometheus metrics over plain HTTP, one small server per service.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Check = () => Promise<boolean> | boolean;
export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface OpsServer {
  server: Server;
  port: number;
  close: () => Promise<void>;
}

/**
 * /healthz: the process runs. /readyz: every readiness check passes (NATS connected, tables loaded).
 * /metrics: Prometheus text. Extra routes (exact path) may be added by the service.
 */
export async function startOpsServer(opts: { port: number; host?: string; ready: Record<string, Check>; metrics?: Route; routes?: Record<string, Route> }): Promise<OpsServer> {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    try {
      if (path === "/healthz") return json(res, 200, { status: "ok" });
      if (path === "/readyz") {
        const results: Record<string, boolean> = {};
        for (const [name, check] of Object.entries(opts.ready)) results[name] = await Promise.resolve(check()).catch(() => false);
        const ok = Object.values(results).every(Boolean);
        return json(res, ok ? 200 : 503, { status: ok ? "ready" : "not ready", checks: results });
      }
      if (path === "/metrics" && opts.metrics) return void (await opts.metrics(req, res));
      const route = opts.routes?.[path];
      if (route) return void (await route(req, res));
      json(res, 404, { error: { code: "NOT_FOUND", message: `no route ${path}` } });
    } catch {
      if (!res.headersSent) json(res, 500, { error: { code: "INTERNAL", message: "internal error" } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
  res.end(data);
}
