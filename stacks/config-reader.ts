// Reads raw Pulumi config values for stacks/config.ts and collects every problem instead of
// stopping at the first, so one error can list all bad keys.
import type { Check } from "./config-rules";

export interface ConfigIssue {
  key: string;
  value: string;
  problem: string;
  allowed: string;
}

/** Collects issues while reading; typed getters return a neutral stand-in value when a value is bad (the error is collected). */
export class Reader {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly raw: (key: string) => string | undefined) {}

  fail(key: string, value: unknown, problem: string, allowed: string): void {
    this.issues.push({ key, value: value === undefined ? "(unset)" : JSON.stringify(value), problem, allowed });
  }

  /** Runs checks until the first problem; an unset value was already reported as missing. */
  check<T>(key: string, value: T, allowed: string, ...checks: Check<T>[]): T {
    if (value === undefined) return value;
    for (const check of checks) {
      const problem = check(value);
      if (problem) {
        this.fail(key, value, problem, allowed);
        break;
      }
    }
    return value;
  }

  /** The parsed value; strings that are not JSON stay strings (Pulumi passes scalars raw). */
  value(key: string, allowed: string): unknown {
    const text = this.raw(key);
    if (text === undefined) {
      this.fail(key, undefined, "missing (set it in the stack file or give it a default in Pulumi.yaml)", allowed);
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  string(key: string, allowed: string, ...checks: Check<string>[]): string {
    const text = this.raw(key);
    if (text === undefined) {
      this.value(key, allowed); // reports the missing key
      return "";
    }
    return this.check(key, text, allowed, ...checks);
  }

  /** An optional key: undefined when unset; no problem is recorded for its absence. */
  optionalString(key: string): string | undefined {
    return this.raw(key);
  }

  stringList(key: string, allowed: string, item: Check<string>): string[] {
    const value = this.value(key, allowed);
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      this.fail(key, value, "not a list of strings", allowed);
      return [];
    }
    const list = value as string[];
    list.forEach((entry, i) => this.check(`${key}[${i}]`, entry, allowed, item));
    return list;
  }

  /** The object at `key`, or undefined (already reported) when unset or not an object. */
  object(key: string, allowed: string): Record<string, unknown> | undefined {
    const value = this.value(key, allowed);
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(key, value, "not an object", allowed);
      return undefined;
    }
    return value as Record<string, unknown>;
  }

  /** Object fields must be exactly `fields`: catches typos such as `desiredsize`. */
  exactFields(key: string, obj: Record<string, unknown>, fields: readonly string[], allowed: string): void {
    for (const field of Object.keys(obj)) {
      if (!fields.includes(field)) this.fail(`${key}.${field}`, obj[field], "unknown field", allowed);
    }
    for (const field of fields) {
      if (!(field in obj)) this.fail(`${key}.${field}`, undefined, "missing field", allowed);
    }
  }
}
