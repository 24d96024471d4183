// Command-line options with node:util's parseArgs (strict: an unknown option is a usage error),
// plus the checks parseArgs does not do (required, numbers, choices).
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
export type Values = Record<string, string | boolean | undefined>;

export function parse(command: string, argv: string[], spec: OptionSpec): Values {
  try {
    const { values } = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false });
    return values as Values;
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

export function required(command: string, values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`, command);
  return value;
}

export function optionalString(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function number(
  command: string,
  values: Values,
  name: string,
  check: { integer?: boolean; min: number; max?: number },
): number | undefined {
  const text = optionalString(values, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  const ok =
    text.trim() !== '' &&
    Number.isFinite(value) &&
    (!check.integer || Number.isInteger(value)) &&
    value >= check.min &&
    (check.max === undefined || value <= check.max);
  if (!ok) {
    const range = check.max === undefined ? `at least ${check.min}` : `${check.min} to ${check.max}`;
    throw new UsageError(`--${name} must be ${check.integer ? 'an integer' : 'a number'} ${range}, not '${text}'`, command);
  }
  return value;
}
