// The Asterisk driver (ari-client): placeholder until the ARI driver lands.
import type { Logger } from "@callctl/core";
import type { Driver, IncomingCall } from "../driver.ts";

export interface AriDriverOptions {
  url: string;
  username: string;
  password: string;
  app?: string;
  log: Logger;
}

export class AriDriver implements Driver {
  readonly name = "ari" as const;
  constructor(readonly opts: AriDriverOptions) {}
  async start(_onCall: (call: IncomingCall) => void): Promise<void> {
    throw new Error("ARI driver not implemented yet");
  }
  async stop(): Promise<void> {}
  healthy(): boolean {
    return false;
  }
}
