// Minimal declarations for the untyped client libraries the simulators are tested with.
declare module "modesl" {
  // biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS library
  const esl: any;
  export default esl;
}
declare module "ari-client" {
  // biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS library
  const ari: any;
  export default ari;
}
