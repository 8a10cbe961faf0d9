// Typed readers over the loosely typed property bags the policy engine hands us: every
// rule reads inputs through these so no rule needs `any` and a missing key reads as
// `undefined` instead of throwing.

export type Props = Readonly<Record<string, unknown>>;

export function asRecord(value: unknown): Props | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Props) : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A value that may be one item or a list of them, as a list. */
export function listOf(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function asStrings(value: unknown): string[] {
  return asArray(value).filter((item): item is string => typeof item === "string");
}

/** Reads a nested key path (`get(props, "vpcConfig", "publicAccessCidrs")`). */
export function get(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    const record = asRecord(current);
    if (record === undefined) return undefined;
    current = record[key];
  }
  return current;
}

/** Helm values and AWS flags arrive as booleans or as the strings "true"/"false". */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}

/**
 * IAM documents (jsonStringify/interpolate) and provider inputs (the SDK JSON-encodes a
 * provider's nested inputs such as defaultTags) arrive as JSON strings, or as objects.
 */
export function parseJsonDocument(value: unknown): Props | undefined {
  if (typeof value === "string") {
    try {
      return asRecord(JSON.parse(value));
    } catch {
      return undefined;
    }
  }
  return asRecord(value);
}

/** `Statement` may be a single object or a list. */
export function statementsOf(document: Props | undefined): Props[] {
  const statement = document?.["Statement"];
  const list = Array.isArray(statement) ? statement : [statement];
  return list.map(asRecord).filter((item): item is Props => item !== undefined);
}

/** IAM fields such as Action may be a string or a list of strings. */
export function oneOrMany(value: unknown): string[] {
  return typeof value === "string" ? [value] : asStrings(value);
}
