import { redact } from "./services/redact";

/** Where the CLI writes. Everything is redacted, so no code path can print a URL token. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export function redactingIo(write: { out(text: string): void; err(text: string): void }): Io {
  return { out: (text) => write.out(redact(text)), err: (text) => write.err(redact(text)) };
}

export const processIo: Io = redactingIo({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
