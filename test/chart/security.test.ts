// Secure defaults on every workload kind the chart can emit: app, worker and Redis
// Deployments, the migration Job and CronJobs (Pod Security "restricted" and more).
import { beforeAll, describe, expect, it } from "vitest";
import { type K8sObject } from "../harness/helm";
import { SERVICE, container, names, podLabels, podSpec, renderExample, workloads } from "./render";

let emitted: K8sObject[];

beforeAll(() => {
  emitted = workloads(
    renderExample({
      "holodeck-service.workers": { consumer: { command: ["faststream", "run", "app:app"], livenessCommand: ["python", "-m", "consumer.alive"] } },
      "holodeck-service.cronJobs": { nightly: { schedule: "@daily", command: ["python", "-m", "report"] } },
    }),
  );
});

describe("security defaults on every workload", () => {
  it("covers every workload kind the chart can emit", () => {
    expect(names(emitted)).toEqual([
      "CronJob/python-example-nightly",
      "Deployment/python-example",
      "Deployment/python-example-consumer",
      "Deployment/python-example-redis",
      "Job/python-example-migrate",
    ]);
  });

  it("runs as non-root with the RuntimeDefault seccomp profile and no service-account token", () => {
    for (const workload of emitted) {
      const pod = podSpec(workload);
      const where = `${workload.kind}/${workload.metadata.name}`;
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      // High UIDs only (Redis' image user is 999; it runs as 10001 like the app).
      expect(pod.securityContext?.runAsUser, where).toBe(10001);
      expect(pod.securityContext?.seccompProfile, where).toEqual({ type: "RuntimeDefault" });
      expect(pod.automountServiceAccountToken, where).toBe(false);
      expect(pod.hostNetwork ?? false, where).toBe(false);
    }
  });

  it("drops every capability, forbids privilege escalation and keeps the root filesystem read-only", () => {
    for (const workload of emitted) {
      for (const c of podSpec(workload).containers) {
        const where = `${workload.kind}/${workload.metadata.name}/${c.name}`;
        expect(c.securityContext, where).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          privileged: false,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        });
      }
    }
  });

  it("gives every container a writable emptyDir /tmp", () => {
    for (const workload of emitted) {
      const pod = podSpec(workload);
      const tmp = pod.volumes?.find((v) => v.name === "tmp");
      expect(tmp?.emptyDir, `${workload.kind}/${workload.metadata.name}`).toBeDefined();
      for (const c of pod.containers) expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    }
  });

  it("sets CPU, memory and ephemeral-storage requests and limits on every container", () => {
    for (const workload of emitted) {
      for (const c of podSpec(workload).containers) {
        const where = `${workload.kind}/${workload.metadata.name}/${c.name}`;
        for (const kind of ["requests", "limits"] as const) {
          expect(Object.keys(c.resources?.[kind] ?? {}).sort(), where).toEqual(["cpu", "ephemeral-storage", "memory"]);
        }
      }
    }
    expect(container(emitted.find((w) => w.metadata.name === SERVICE) as K8sObject).resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "128Mi" },
      limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "512Mi" },
    });
    // Redis' limit covers its emptyDirs (data 512Mi + tmp 64Mi).
    expect(container(emitted.find((w) => w.metadata.name === `${SERVICE}-redis`) as K8sObject).resources).toEqual({
      requests: { cpu: "50m", memory: "96Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "250m", memory: "128Mi", "ephemeral-storage": "640Mi" },
    });
  });

  it("gives every long-running container a liveness probe, and a readiness probe where it serves a port", () => {
    for (const workload of emitted.filter((w) => w.kind === "Deployment")) {
      for (const c of podSpec(workload).containers) {
        const where = `${workload.kind}/${workload.metadata.name}/${c.name}`;
        expect(c.livenessProbe, where).toBeDefined();
        if (c.ports?.length) expect(c.readinessProbe, where).toBeDefined();
      }
    }
  });

  it("keeps one-shot pods (and Redis) out of the mesh so they can complete, the app and workers in it", () => {
    const inMesh = emitted.filter((w) => podLabels(w)["sidecar.istio.io/inject"] === "true");
    expect(names(inMesh)).toEqual(["Deployment/python-example", "Deployment/python-example-consumer"]);
    for (const workload of emitted.filter((w) => w.kind !== "Deployment")) {
      expect(podSpec(workload).restartPolicy).toBe("Never");
    }
  });
});
