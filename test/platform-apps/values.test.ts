// The value-file reader behaves as Argo CD's repo-server: a missing file is left out of
// `helm template` only with helm.ignoreMissingValueFiles; otherwise rendering fails.
import { describe, expect, it } from "vitest";
import { type Application, type Source } from "./platform";
import { helmValues, valueFilesPassed } from "./values";

const COMMON = "platform-apps/values/istio-base/common.yaml";
const ABSENT = "platform-apps/values/istio-base/staging.yaml";

function appWith(helm: Source["helm"]): Application {
  return {
    metadata: { name: "istio-base" },
    spec: {
      project: "platform",
      sources: [{ repoURL: "https://istio-release.storage.googleapis.com/charts", chart: "base", targetRevision: "1.0.0", helm }],
      destination: { server: "https://kubernetes.default.svc", namespace: "istio-system" },
      syncPolicy: {},
    },
  };
}

describe("value files passed to Helm", () => {
  it("skips a missing file when ignoreMissingValueFiles is true", () => {
    const app = appWith({ ignoreMissingValueFiles: true, valueFiles: [`$values/${COMMON}`, `$values/${ABSENT}`] });
    expect(valueFilesPassed(app)).toEqual([COMMON]);
    expect(helmValues(app)).toEqual({ defaultRevision: "default" });
  });

  it.each([false, undefined])("fails on a missing file when ignoreMissingValueFiles is %s", (ignoreMissingValueFiles) => {
    const app = appWith({ ignoreMissingValueFiles, valueFiles: [`$values/${COMMON}`, `$values/${ABSENT}`] });
    expect(() => valueFilesPassed(app)).toThrow(`Application istio-base: value file ${ABSENT} does not exist and helm.ignoreMissingValueFiles is not true`);
  });

  it("applies valuesObject after the files", () => {
    const app = appWith({ ignoreMissingValueFiles: false, valueFiles: [`$values/${COMMON}`], valuesObject: { defaultRevision: "canary" } });
    expect(helmValues(app)).toEqual({ defaultRevision: "canary" });
  });

  it("rejects a value file outside the platform repo ref", () => {
    expect(() => valueFilesPassed(appWith({ valueFiles: ["values.yaml"] }))).toThrow(
      "Application istio-base: value file values.yaml is not in the platform repo ($values/...)",
    );
  });
});
