/**
 * cdktf records where every token was created: a full-depth stack trace, read from a plain object.
 * Those traces only ever appear in cdktf's own token-resolution errors, and the commands print no
 * stack traces, so formatting them is wasted work: about 20 ms of a 0.45 s synth. This leaves them
 * empty; every Error keeps its trace, formatted as before.
 */
export function skipTokenStackTraces(): void {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (target: unknown, frames: NodeJS.CallSite[]) => {
    if (Object.getPrototypeOf(target) === Object.prototype) return "";
    if (previous) return previous(target as Error, frames);
    return [Error.prototype.toString.call(target), ...frames.map((f) => `    at ${String(f)}`)].join("\n");
  };
}
