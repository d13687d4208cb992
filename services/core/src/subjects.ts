// NATS subjects of the wire contracts (ARCHITECTURE.md "Wire contracts").
export const SUBJECTS = {
  routeDecide: "callctl.route.decide",
  routeBlocks: "callctl.route.blocks",
  tariffQuote: "callctl.tariff.quote",
  creditAuthorize: "callctl.credit.authorize",
  creditExtend: "callctl.credit.extend",
  creditCommit: "callctl.credit.commit",
  creditRelease: "callctl.credit.release",
  creditSettleBatch: "callctl.credit.settle.batch",
  creditAdGrant: "callctl.credit.adgrant",
  callEvent: (kind: string) => `callctl.calls.${kind}`,
  cdr: (brand: string) => `callctl.cdr.${brand}`,
  callbackRequest: "callctl.callback.request",
  nodeControl: (node: string) => `callctl.node.${node}.control`,
} as const;
