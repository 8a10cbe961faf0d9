// The few verbs of the NATS client protocol the NATS tests need (CONNECT, SUB, PUB, PING, MSG),
// spoken over a TCP socket to a real nats-server: the server is what is under test.
import * as net from "node:net";

export interface NatsMessage {
  subject: string;
  reply?: string;
  data: string;
}

export class NatsConnection {
  readonly messages: NatsMessage[] = [];
  readonly errors: string[] = [];
  private buffer = "";
  private pongs = 0;
  private closed = false;
  private nextSid = 1000;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.parse();
    });
    socket.on("close", () => (this.closed = true));
    socket.on("error", (error) => this.errors.push(error.message));
  }

  /** Connects with user and password; resolves once the server answered the first PING, rejects with its -ERR. */
  static async open(port: number, user?: string, password?: string): Promise<NatsConnection> {
    const socket = net.connect(port, "127.0.0.1");
    const connection = new NatsConnection(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const options = { verbose: false, pedantic: false, protocol: 1, headers: true, lang: "holodeck-test", version: "1", user, pass: password };
    socket.write(`CONNECT ${JSON.stringify(options)}\r\nPING\r\n`);
    await connection.flushed(1);
    return connection;
  }

  subscribe(subject: string, sid: number): void {
    this.socket.write(`SUB ${subject} ${sid}\r\n`);
  }

  publish(subject: string, data: string, reply?: string): void {
    this.socket.write(`PUB ${subject}${reply ? ` ${reply}` : ""} ${Buffer.byteLength(data)}\r\n${data}\r\n`);
  }

  /** PING and wait for the PONG: everything sent before it has been processed by the server. */
  async flush(): Promise<void> {
    this.socket.write("PING\r\n");
    await this.flushed(this.pongs + 1);
  }

  /** Publishes a request with its own reply subject and waits for the first reply. */
  async request(subject: string, data: string, inbox: string): Promise<NatsMessage> {
    this.subscribe(inbox, this.nextSid++);
    this.publish(subject, data, inbox);
    return this.waitFor((m) => m.subject === inbox);
  }

  async waitFor(match: (message: NatsMessage) => boolean, timeoutMs = 5000): Promise<NatsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.closed) throw new Error(`NATS connection closed: ${this.errors.join("; ") || "no error sent"}`);
      if (Date.now() > deadline) throw new Error(`no matching NATS message within ${timeoutMs} ms (got ${JSON.stringify(this.messages)})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private async flushed(count: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.pongs < count) {
      // -ERR without a close (a refused subscription or publish) is recorded in `errors`; the server closes on the fatal ones.
      if (this.closed) throw new Error(this.errors.join("; ") || "connection closed");
      if (Date.now() > deadline) throw new Error("no PONG from nats-server within 5 s");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf("\r\n");
      if (end < 0) return;
      const line = this.buffer.slice(0, end);
      if (line.startsWith("MSG ")) {
        const parts = line.split(" ");
        const size = Number(parts[parts.length - 1]);
        if (this.buffer.length < end + 2 + size + 2) return;
        const data = this.buffer.slice(end + 2, end + 2 + size);
        this.messages.push({ subject: parts[1], reply: parts.length === 5 ? parts[3] : undefined, data });
        this.buffer = this.buffer.slice(end + 2 + size + 2);
        continue;
      }
      this.buffer = this.buffer.slice(end + 2);
      if (line === "PONG") this.pongs++;
      else if (line === "PING") this.socket.write("PONG\r\n");
      else if (line.startsWith("-ERR")) this.errors.push(line);
    }
  }
}
