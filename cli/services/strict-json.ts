/**
 * A strict JSON reader for services-root files. JSON.parse silently keeps the last of two
 * duplicate keys and says nothing about a second value after the first, so a reviewer could
 * read one version while ArgoCD deploys another; this parser reports both.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface DuplicateKey {
  /** dotted path of the duplicated key, e.g. `imageTag` or `meta.owner` */
  path: string;
  line: number;
  column: number;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line} column ${column}`);
  }
}

export interface StrictParseResult {
  value: JsonValue;
  duplicates: DuplicateKey[];
}

// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters (U+0000-U+001F) inside strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS: ReadonlyArray<[string, JsonValue]> = [
  ["true", true],
  ["false", false],
  ["null", null],
];

class Parser {
  private pos = 0;
  readonly duplicates: DuplicateKey[] = [];

  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipWhitespace();
    if (this.pos >= this.text.length) this.fail("empty document: expected a JSON value");
    const value = this.parseValue("");
    this.skipWhitespace();
    if (this.pos < this.text.length) {
      this.fail("unexpected content after the first JSON value (exactly one object per file)");
    }
    return value;
  }

  private parseValue(path: string): JsonValue {
    const ch = this.text[this.pos];
    if (ch === "{") return this.parseObject(path);
    if (ch === "[") return this.parseArray(path);
    if (ch === '"') return this.parseString();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.pos;
    const number = NUMBER.exec(this.text);
    if (number) {
      this.pos += number[0].length;
      return Number(number[0]);
    }
    return this.fail(ch === undefined ? "unexpected end of input: expected a value" : `unexpected character ${JSON.stringify(ch)}: expected a value`);
  }

  private parseObject(path: string): { [key: string]: JsonValue } {
    const result: { [key: string]: JsonValue } = {};
    const seen = new Set<string>();
    this.pos++; // '{'
    this.skipWhitespace();
    if (this.consume("}")) return result;
    for (;;) {
      this.skipWhitespace();
      const keyPos = this.pos;
      if (this.text[this.pos] !== '"') this.fail("expected a double-quoted key");
      const key = this.parseString();
      const keyPath = path === "" ? key : `${path}.${key}`;
      if (seen.has(key)) this.duplicates.push({ path: keyPath, ...this.position(keyPos) });
      seen.add(key);
      this.skipWhitespace();
      if (!this.consume(":")) this.fail("expected ':' after a key");
      this.skipWhitespace();
      // defineProperty: a key named __proto__ must stay data, not change the prototype
      Object.defineProperty(result, key, { value: this.parseValue(keyPath), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      if (this.consume("}")) return result;
      if (!this.consume(",")) this.fail("expected ',' or '}' after a value");
    }
  }

  private parseArray(path: string): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++; // '['
    this.skipWhitespace();
    if (this.consume("]")) return result;
    for (;;) {
      this.skipWhitespace();
      result.push(this.parseValue(`${path}[${result.length}]`));
      this.skipWhitespace();
      if (this.consume("]")) return result;
      if (!this.consume(",")) this.fail("expected ',' or ']' after a value");
    }
  }

  private parseString(): string {
    STRING.lastIndex = this.pos;
    const match = STRING.exec(this.text);
    if (!match) this.fail("invalid string (unterminated, raw control character or bad escape)");
    this.pos += match[0].length;
    return JSON.parse(match[0]) as string;
  }

  private consume(ch: string): boolean {
    if (this.text[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos])) this.pos++;
  }

  private position(offset: number): { line: number; column: number } {
    const before = this.text.slice(0, offset);
    const line = before.split("\n").length;
    return { line, column: offset - before.lastIndexOf("\n") };
  }

  private fail(message: string): never {
    const { line, column } = this.position(this.pos);
    throw new JsonSyntaxError(message, line, column);
  }
}

/** Parses exactly one JSON value; throws JsonSyntaxError, returns duplicate keys found. */
export function parseStrictJson(text: string): StrictParseResult {
  const parser = new Parser(text);
  const value = parser.parseDocument();
  return { value, duplicates: parser.duplicates };
}
