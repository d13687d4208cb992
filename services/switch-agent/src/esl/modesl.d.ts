// modesl 1.2.1 ships no types; the driver uses it through the narrow interfaces in wire.ts.
declare module "modesl";
