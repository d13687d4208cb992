// ari-client 2.2.0 ships no types; the driver uses it through AriClient in call.ts.
declare module "ari-client";
