// Figures the reliability tests measure: printed in one recognisable form so docs/reliability.md's table can quote them.
export function figure(name: string, value: string): void {
  console.log(`      figure: ${name}: ${value}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const ms = (value: number): string => `${Math.round(value)} ms`;

// Math.min(...xs) passes every element as an argument and overflows the stack past ~100k records,
// which a quiet machine reaches in a few seconds of load.
export function minOf(values: readonly number[]): number {
  return values.reduce((least, value) => (value < least ? value : least), Infinity);
}

export function maxOf(values: readonly number[]): number {
  return values.reduce((most, value) => (value > most ? value : most), -Infinity);
}
