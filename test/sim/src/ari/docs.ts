// Our own minimal Swagger documents for ari-client 2.2.0 (bundled swagger-client 2.0.26): only the
// operations a call flow needs, and one events.json model per event type the simulator emits.

type Param = [name: string, paramType: "path" | "query" | "body", dataType: string, required?: boolean, multi?: boolean];
type Op = [method: string, nickname: string, responseClass: string, params: Param[]];
type Api = [path: string, ops: Op[]];

const chId: Param = ["channelId", "path", "string", true];
const brId: Param = ["bridgeId", "path", "string", true];
const pbId: Param = ["playbackId", "path", "string", true];
const originate: Param[] = [
  ["endpoint", "query", "string", true],
  ["extension", "query", "string"],
  ["context", "query", "string"],
  ["priority", "query", "long"],
  ["label", "query", "string"],
  ["app", "query", "string"],
  ["appArgs", "query", "string"],
  ["callerId", "query", "string"],
  ["timeout", "query", "int"],
  ["variables", "body", "containers"],
  ["otherChannelId", "query", "string"],
  ["originator", "query", "string"],
  ["formats", "query", "string"],
];
const play: Param[] = [
  ["media", "query", "string", true, true],
  ["lang", "query", "string"],
  ["offsetms", "query", "int"],
  ["skipms", "query", "int"],
];

export const RESOURCES: Record<string, Api[]> = {
  asterisk: [
    ["/asterisk/info", [["GET", "getInfo", "AsteriskInfo", [["only", "query", "string", false, true]]]]],
    ["/asterisk/ping", [["GET", "ping", "AsteriskPing", []]]],
  ],
  endpoints: [
    ["/endpoints", [["GET", "list", "List[Endpoint]", []]]],
    ["/endpoints/{tech}", [["GET", "listByTech", "List[Endpoint]", [["tech", "path", "string", true]]]]],
  ],
  channels: [
    [
      "/channels",
      [
        ["GET", "list", "List[Channel]", []],
        ["POST", "originate", "Channel", [...originate, ["channelId", "query", "string"]]],
      ],
    ],
    [
      "/channels/create",
      [
        [
          "POST",
          "create",
          "Channel",
          [
            ["endpoint", "query", "string", true],
            ["app", "query", "string", true],
            ["appArgs", "query", "string"],
            ["channelId", "query", "string"],
            ["otherChannelId", "query", "string"],
            ["originator", "query", "string"],
            ["formats", "query", "string"],
            ["variables", "body", "containers"],
          ],
        ],
      ],
    ],
    [
      "/channels/{channelId}",
      [
        ["GET", "get", "Channel", [chId]],
        ["POST", "originateWithId", "Channel", [chId, ...originate]],
        [
          "DELETE",
          "hangup",
          "void",
          [chId, ["reason_code", "query", "string"], ["reason", "query", "string"]],
        ],
      ],
    ],
    ["/channels/{channelId}/continue", [["POST", "continueInDialplan", "void", [chId, ["context", "query", "string"], ["extension", "query", "string"], ["priority", "query", "int"], ["label", "query", "string"]]]]],
    ["/channels/{channelId}/answer", [["POST", "answer", "void", [chId]]]],
    [
      "/channels/{channelId}/ring",
      [
        ["POST", "ring", "void", [chId]],
        ["DELETE", "ringStop", "void", [chId]],
      ],
    ],
    ["/channels/{channelId}/progress", [["POST", "progress", "void", [chId]]]],
    ["/channels/{channelId}/play", [["POST", "play", "Playback", [chId, ...play, ["playbackId", "query", "string"]]]]],
    ["/channels/{channelId}/play/{playbackId}", [["POST", "playWithId", "Playback", [chId, pbId, ...play]]]],
    [
      "/channels/{channelId}/variable",
      [
        ["GET", "getChannelVar", "Variable", [chId, ["variable", "query", "string", true]]],
        ["POST", "setChannelVar", "void", [chId, ["variable", "query", "string", true], ["value", "query", "string"]]],
      ],
    ],
    ["/channels/{channelId}/dial", [["POST", "dial", "void", [chId, ["caller", "query", "string"], ["timeout", "query", "int"]]]]],
  ],
  bridges: [
    [
      "/bridges",
      [
        ["GET", "list", "List[Bridge]", []],
        ["POST", "create", "Bridge", [["type", "query", "string"], ["bridgeId", "query", "string"], ["name", "query", "string"]]],
      ],
    ],
    [
      "/bridges/{bridgeId}",
      [
        ["POST", "createWithId", "Bridge", [["type", "query", "string"], brId, ["name", "query", "string"]]],
        ["GET", "get", "Bridge", [brId]],
        ["DELETE", "destroy", "void", [brId]],
      ],
    ],
    ["/bridges/{bridgeId}/addChannel", [["POST", "addChannel", "void", [brId, ["channel", "query", "string", true, true], ["role", "query", "string"]]]]],
    ["/bridges/{bridgeId}/removeChannel", [["POST", "removeChannel", "void", [brId, ["channel", "query", "string", true, true]]]]],
  ],
  recordings: [["/recordings/stored", [["GET", "listStored", "List[StoredRecording]", []]]]],
  sounds: [["/sounds", [["GET", "list", "List[Sound]", []]]]],
  playbacks: [
    [
      "/playbacks/{playbackId}",
      [
        ["GET", "get", "Playback", [pbId]],
        ["DELETE", "stop", "void", [pbId]],
      ],
    ],
  ],
  deviceStates: [["/deviceStates", [["GET", "list", "List[DeviceState]", []]]]],
  mailboxes: [["/mailboxes", [["GET", "list", "List[Mailbox]", []]]]],
  events: [["/events", [["GET", "eventWebsocket", "Message", [["app", "query", "string", true, true], ["subscribeAll", "query", "boolean"]]]]]],
  applications: [
    ["/applications", [["GET", "list", "List[Application]", []]]],
    ["/applications/{applicationName}", [["GET", "get", "Application", [["applicationName", "path", "string", true]]]]],
  ],
};

const C = "Channel";
/** Event type → typed properties (ari-client promotes Channel/Bridge/Playback to instances). */
export const EVENT_MODELS: Record<string, Record<string, string>> = {
  StasisStart: { args: "List[string]", channel: C, replace_channel: C },
  StasisEnd: { channel: C },
  ChannelStateChange: { channel: C },
  ChannelDialplan: { channel: C, dialplan_app: "string", dialplan_app_data: "string" },
  ChannelVarset: { channel: C, variable: "string", value: "string" },
  ChannelConnectedLine: { channel: C },
  ChannelHangupRequest: { channel: C, cause: "int", tech_cause: "int", soft: "boolean" },
  ChannelDestroyed: { channel: C, cause: "int", cause_txt: "string", tech_cause: "int" },
  ChannelEnteredBridge: { bridge: "Bridge", channel: C },
  ChannelLeftBridge: { bridge: "Bridge", channel: C },
  BridgeCreated: { bridge: "Bridge" },
  BridgeDestroyed: { bridge: "Bridge" },
  Dial: { caller: C, peer: C, forward: "string", forwarded: C, dialstring: "string", dialstatus: "string" },
  PlaybackStarted: { playback: "Playback" },
  PlaybackFinished: { playback: "Playback" },
  ApplicationReplaced: {},
};

const COMMON = { type: "string", timestamp: "Date", application: "string", asterisk_id: "string" };

function models(names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) out[n] = { id: n, properties: { id: { type: "string", required: true } } };
  return out;
}

export function resourceList(host: string): unknown {
  return {
    apiVersion: "sim-1.0",
    swaggerVersion: "1.1",
    basePath: `http://${host}/ari`,
    apis: Object.keys(RESOURCES).map((name) => ({ path: `/api-docs/${name}.{format}`, description: name })),
  };
}

export function resourceDoc(name: string, host: string): unknown | undefined {
  const apis = RESOURCES[name];
  if (!apis) return undefined;
  const doc = {
    apiVersion: "sim-1.0",
    swaggerVersion: "1.1",
    basePath: `http://${host}/ari`,
    resourcePath: `/api-docs/${name}.{format}`,
    apis: apis.map(([path, ops]) => ({
      path,
      operations: ops.map(([httpMethod, nickname, responseClass, params]) => ({
        httpMethod,
        nickname,
        responseClass,
        parameters: params.map(([n, paramType, dataType, required, multi]) => ({
          name: n,
          paramType,
          dataType,
          required: !!required,
          allowMultiple: !!multi,
        })),
      })),
    })),
    models: {} as Record<string, unknown>,
  };
  if (name === "events") {
    for (const [type, props] of Object.entries(EVENT_MODELS)) {
      const properties: Record<string, { type: string }> = {};
      for (const [k, v] of Object.entries({ ...COMMON, ...props })) properties[k] = { type: v };
      doc.models[type] = { id: type, properties };
    }
    doc.models.Message = { id: "Message", properties: { type: { type: "string" } } };
  } else {
    doc.models = models(["Channel", "Bridge", "Playback", "Endpoint", "Application", "AsteriskInfo", "Variable"]);
  }
  return doc;
}
