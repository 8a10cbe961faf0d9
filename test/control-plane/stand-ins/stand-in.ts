// The loop every stand-in controller runs: list its kind across namespaces every
// `intervalMs`, and reconcile each live object with how long it has been seen, so a
// stand-in can answer "after a delay" like its real controller answers after real work.
// Errors never stop the loop (a controller keeps reconciling); they are kept for the test
// to assert on, except those the next pass resolves as a controller's requeue does: 409
// Conflict/AlreadyExists, and 429/503 while the API server (re)initializes a new CRD's storage.
import { KubeError, type KubeObject, type KubeRest } from "./kube-rest";

export interface StandIn {
  readonly name: string;
  /** Errors met while reconciling, newest last (a test asserts there are none). */
  readonly errors: string[];
  stop(): Promise<void>;
}

export interface StandInLoop<T extends KubeObject> {
  name: string;
  kube: KubeRest;
  /** Cluster-wide collection path, e.g. /apis/external-secrets.io/v1/externalsecrets. */
  collectionPath: string;
  intervalMs?: number;
  /** One pass over one object; `seenForMs` = time since this loop first saw it. */
  reconcile(object: T, seenForMs: number): Promise<void>;
}

const TRANSIENT = new Set([409, 429, 503]);

export function runStandIn<T extends KubeObject>(loop: StandInLoop<T>): StandIn {
  const firstSeen = new Map<string, number>();
  const errors: string[] = [];
  let stopped = false;
  const record = (error: unknown): void => {
    if (error instanceof KubeError && TRANSIENT.has(error.status)) return;
    errors.push(`${loop.name}: ${error instanceof Error ? error.message : String(error)}`);
  };
  const pass = async (): Promise<void> => {
    let objects: T[];
    try {
      objects = await loop.kube.list<T>(loop.collectionPath);
    } catch (error) {
      // The kind's CRD may not be served yet: wait for it like a controller's informer does.
      if (!(error instanceof KubeError && error.status === 404)) record(error);
      return;
    }
    for (const object of objects) {
      if (object.metadata.deletionTimestamp) continue;
      const uid = object.metadata.uid ?? `${object.metadata.namespace}/${object.metadata.name}`;
      if (!firstSeen.has(uid)) firstSeen.set(uid, Date.now());
      try {
        await loop.reconcile(object, Date.now() - (firstSeen.get(uid) ?? Date.now()));
      } catch (error) {
        record(error);
      }
    }
  };
  const done = (async () => {
    while (!stopped) {
      await pass();
      await new Promise((resolve) => setTimeout(resolve, loop.intervalMs ?? 200));
    }
  })();
  return {
    name: loop.name,
    errors,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** RFC 3339 time, seconds precision, as controllers write lastTransitionTime. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Base64 of each value: the `data` of a Secret. */
export function secretData(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString("base64")]));
}
