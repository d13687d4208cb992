// A leg's caller profile (the Caller-* / Other-Leg-* headers) and its timestamps.

/** A leg's timestamps (µs): the part of a profile that changes during a call. */
export interface Times {
  createdUs: number;
  answeredUs: number;
  progressUs: number;
  progressMediaUs: number;
  hangupUs: number;
  bridgedUs: number;
}

export function sameTimes(a: Times, b: Times): boolean {
  return (
    a.createdUs === b.createdUs &&
    a.answeredUs === b.answeredUs &&
    a.progressUs === b.progressUs &&
    a.progressMediaUs === b.progressMediaUs &&
    a.hangupUs === b.hangupUs &&
    a.bridgedUs === b.bridgedUs
  );
}

export interface Profile extends Times {
  username: string;
  callerName: string;
  callerNumber: string;
  destination: string;
  uuid: string;
  channelName: string;
  context: string;
  callee?: { name: string; number: string };
}

/**
 * A leg's profile, created now. Its channel name's SIP user is the username (an inbound call's
 * caller) or, without one, the destination (an originated leg); `at` is what follows it.
 */
export function newProfile(uuid: string, username: string, callerName: string, callerNumber: string, destination: string, at: string, context: string, callee: Profile["callee"]): Profile {
  const user = username || destination;
  return {
    username,
    callerName,
    callerNumber,
    destination,
    uuid,
    // The user part of a SIP URI cannot carry raw control characters; keep hostile caller ids out.
    channelName: ["sofia/external/", user.replace(/[^\w+*#.-]/g, "_"), at].join(""),
    context,
    createdUs: Date.now() * 1000,
    answeredUs: 0,
    progressUs: 0,
    progressMediaUs: 0,
    hangupUs: 0,
    bridgedUs: 0,
    // Declared up front (undefined if none): added later, it would give each profile its own hidden class.
    callee,
  };
}

/**
 * A leg as a block was rendered from it: the profile and its callee by identity (they are
 * replaced, not changed), and its times (those change in place).
 */
export interface Leg extends Times {
  p: Profile;
  callee: Profile["callee"];
}

export function legOf(p: Profile): Leg {
  const { createdUs, answeredUs, progressUs, progressMediaUs, hangupUs, bridgedUs } = p;
  return { p, callee: p.callee, createdUs, answeredUs, progressUs, progressMediaUs, hangupUs, bridgedUs };
}

export function legFits(l: Leg, p: Profile): boolean {
  return l.p === p && l.callee === p.callee && sameTimes(l, p);
}

/** A profile's lines from ANI to Channel-Name (`ani` and `source` differ between inbound and originated legs). */
export function identPairs(prefix: string, p: Profile, ani: string, source: string): Array<[string, string]> {
  return [
    [prefix + "ANI", ani],
    [prefix + "Destination-Number", p.destination],
    [prefix + "Unique-ID", p.uuid],
    [prefix + "Source", source],
    [prefix + "Context", p.context],
    [prefix + "Channel-Name", p.channelName],
  ];
}
