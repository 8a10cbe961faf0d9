// A minimal in-memory OCI distribution registry (the subset `helm push`/`helm pull` use:
// blob upload POST+PUT, blob HEAD/GET, manifest PUT/GET/HEAD), so the chart tests can
// publish the chart as an OCI artifact and consume it the way a service repo does.
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface OciRegistry {
  /** host:port to use in oci:// references (plain HTTP). */
  host: string;
  /** Repository → tag → manifest media type, as pushed. */
  tags: Map<string, Map<string, string>>;
  close(): Promise<void>;
}

const digestOf = (body: Buffer): string => `sha256:${createHash("sha256").update(body).digest("hex")}`;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startOciRegistry(): Promise<OciRegistry> {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { body: Buffer; type: string }>();
  const tags = new Map<string, Map<string, string>>();
  let uploads = 0;

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://registry");
      const body = await readBody(req);
      const send = (status: number, headers: Record<string, string> = {}, payload?: Buffer): void => {
        res.writeHead(status, { "Docker-Distribution-API-Version": "registry/2.0", ...headers });
        res.end(req.method === "HEAD" ? undefined : payload);
      };
      if (url.pathname === "/v2/" || url.pathname === "/v2") return send(200);
      const match = /^\/v2\/(.+)\/(blobs\/uploads\/?(\d*)|blobs|manifests)\/?([^/]*)$/.exec(url.pathname);
      if (!match) return send(404);
      const [, repo, kind, , ref] = match;
      if (kind.startsWith("blobs/uploads")) {
        if (req.method === "POST") return send(202, { Location: `/v2/${repo}/blobs/uploads/${++uploads}`, "Content-Length": "0" });
        const digest = url.searchParams.get("digest");
        if (req.method !== "PUT" || !digest || digestOf(body) !== digest) return send(400);
        blobs.set(digest, body);
        return send(201, { Location: `/v2/${repo}/blobs/${digest}`, "Docker-Content-Digest": digest });
      }
      if (kind === "blobs") {
        const blob = blobs.get(ref);
        return blob ? send(200, { "Content-Length": String(blob.length), "Docker-Content-Digest": ref }, blob) : send(404);
      }
      if (req.method === "PUT") {
        const type = String(req.headers["content-type"]);
        const digest = digestOf(body);
        manifests.set(`${repo}@${digest}`, { body, type });
        manifests.set(`${repo}:${ref}`, { body, type });
        if (!ref.startsWith("sha256:")) tags.set(repo, (tags.get(repo) ?? new Map<string, string>()).set(ref, type));
        return send(201, { Location: `/v2/${repo}/manifests/${digest}`, "Docker-Content-Digest": digest });
      }
      const manifest = manifests.get(ref.startsWith("sha256:") ? `${repo}@${ref}` : `${repo}:${ref}`);
      if (!manifest) return send(404);
      return send(
        200,
        {
          "Content-Type": manifest.type,
          "Content-Length": String(manifest.body.length),
          "Docker-Content-Digest": digestOf(manifest.body),
        },
        manifest.body,
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    tags,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
