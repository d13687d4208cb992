// The zone ids of the network: routing maps destinations to them (rate decks, longest prefix),
// tariff prices exactly these, credit filters free minutes and ad-funded grants by them.
// One list, so the three services can never disagree on what a zone is.
export const ZONE_IDS = [
  "DE_LOCAL",
  "DE_FIXED",
  "DE_MOBILE",
  "DE_NATSUB",
  "DE_SERVICE",
  "DE_FREEPHONE",
  "EU_FIXED",
  "EU_MOBILE",
  "NA_FIXED",
  "NA_MOBILE",
  "TR_FIXED",
  "TR_MOBILE",
  "WORLD_FIXED",
  "WORLD_MOBILE",
] as const;
export type ZoneId = (typeof ZONE_IDS)[number];
