// The agent's notion of time. Production runs on the wall clock; the end-to-end tests run the agent
// on a scaled clock (virtual time passes `scale` times faster) together with simulators at
// timeScale 1/scale, so a 60 s prepaid limit takes 0.6 s of real time and every time the agent
// writes into a call event (answer, announcement end, limit) stays exact in virtual milliseconds.
export interface Clock {
  now(): number;
  /** Runs fn after `ms` of this clock's time. */
  after(ms: number, fn: () => void): NodeJS.Timeout;
}

export const realClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => setTimeout(fn, Math.max(0, ms)),
};

/** Virtual time that starts at the wall clock and runs `scale` times faster. */
export function scaledClock(scale: number, origin = Date.now()): Clock {
  return {
    now: () => origin + Math.round((Date.now() - origin) * scale),
    after: (ms, fn) => setTimeout(fn, Math.ceil(Math.max(0, ms) / scale)),
  };
}
