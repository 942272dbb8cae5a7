// The one clock. Entry points pass systemClock to every adapter and to the app; job rules take the time as
// an argument, so tests can move it (a reap "in an hour") without waiting.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
