// Figures the reliability tests measure: printed in one recognisable form so README's table can quote them.
export function figure(name: string, value: string): void {
  console.log(`      figure: ${name}: ${value}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const ms = (value: number): string => `${Math.round(value)} ms`;
