/** What the scripts share in reading their command line: node:util parseArgs, --help, and the usage with every error. */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>["values"];

/**
 * The options of `argv` (node:util parseArgs: strict, no positional arguments). --help or -h prints
 * `usage` and exits; a wrong argument throws an error that names it and ends with `usage`.
 */
export function readArgs<const O extends Options>(argv: readonly string[], options: O, usage: string): Values<O> {
  try {
    const all: Options = { ...options, help: { type: "boolean", short: "h" } };
    const { values } = parseArgs({ args: [...argv], options: all, strict: true, allowPositionals: false });
    if (values.help === true) {
      console.log(usage);
      process.exit(0);
    }
    return values as Values<O>;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${usage}`, { cause: error });
  }
}

/** The integer an option gives, from `min` to `max` when given; undefined when the option is absent. */
export function integerArg(
  flag: string,
  value: string | undefined,
  usage: string,
  range?: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const inRange = range === undefined || (n >= range.min && n <= range.max);
  if (value.trim() === "" || !Number.isInteger(n) || !inRange) {
    throw new Error(
      `${flag} needs an integer${range ? ` from ${range.min} to ${range.max}` : ""}, not ${value}\n${usage}`,
    );
  }
  return n;
}
