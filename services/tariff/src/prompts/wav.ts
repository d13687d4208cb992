// Minimal RIFF/WAVE PCM reading and writing, resampling to 8 kHz, and loudness (RMS), for the
// prompt set: both switches play 8 kHz mono 16-bit PCM WAV without transcoding.

export interface Pcm {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  samples: Int16Array; // first channel
}

export class WavError extends Error {}

/** Parses PCM WAV. Tolerates the bogus sizes espeak-ng writes when streaming to stdout. */
export function parseWav(buf: Buffer): Pcm {
  if (buf.length < 12 || buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE") throw new WavError("not a RIFF/WAVE file");
  let off = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= buf.length) {
    const id = buf.toString("ascii", off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === "fmt ") {
      fmt = { format: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === "data") {
      if (!fmt) throw new WavError("data before fmt");
      if (fmt.format !== 1 || fmt.bits !== 16) throw new WavError(`unsupported format ${fmt.format}/${fmt.bits} bit`);
      const end = Math.min(buf.length, body + size);
      const frames = Math.floor((end - body) / (2 * fmt.channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(body + i * 2 * fmt.channels);
      return { sampleRate: fmt.rate, channels: fmt.channels, bitsPerSample: fmt.bits, samples };
    }
    off = body + size + (size % 2);
  }
  throw new WavError("no data chunk");
}

export function writeWav(samples: Int16Array, sampleRate: number): Buffer {
  const data = samples.length * 2;
  const b = Buffer.alloc(44 + data);
  b.write("RIFF", 0, "ascii");
  b.writeUInt32LE(36 + data, 4);
  b.write("WAVE", 8, "ascii");
  b.write("fmt ", 12, "ascii");
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36, "ascii");
  b.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i]!, 44 + i * 2);
  return b;
}

/** Band-limited resampling with a Blackman-windowed sinc (cutoff 0.45 x the lower rate). */
export function resample(x: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return x.slice();
  const ratio = from / to;
  const fc = (0.45 * Math.min(from, to)) / from; // cycles per input sample
  const half = 24;
  const out = new Int16Array(Math.floor(x.length / ratio));
  for (let n = 0; n < out.length; n++) {
    const t = n * ratio;
    const k0 = Math.ceil(t - half);
    const k1 = Math.floor(t + half);
    let acc = 0;
    for (let k = Math.max(0, k0); k <= Math.min(x.length - 1, k1); k++) {
      const u = k - t;
      const sinc = u === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * u) / (Math.PI * u);
      const w = 0.42 + 0.5 * Math.cos((Math.PI * u) / half) + 0.08 * Math.cos((2 * Math.PI * u) / half);
      acc += x[k]! * sinc * w;
    }
    out[n] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return out;
}

/** Drops leading and trailing near-silence, keeping `keep` samples of margin. */
export function trimSilence(x: Int16Array, threshold = 200, keep = 400): Int16Array {
  let a = 0;
  let b = x.length - 1;
  while (a < x.length && Math.abs(x[a]!) < threshold) a++;
  while (b > a && Math.abs(x[b]!) < threshold) b--;
  if (a >= b) return x.slice();
  return x.slice(Math.max(0, a - keep), Math.min(x.length, b + 1 + keep));
}

/** Root mean square of 16-bit samples (0-32767). */
export function rms(x: Int16Array): number {
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / x.length);
}
