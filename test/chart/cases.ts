// The values cases the chart tests render: every optional feature on, every on-by-default
// feature off, and every tunable value moved off its default. Shared so that one test file
// (validate.test.ts) validates all of them against the real schemas in one process.
import type { HelmSets } from "../harness/helm";

/** The redis:7.4.2-alpine image index digest values.yaml pins. */
export const REDIS_DIGEST = "sha256:02419de7eddf55aa5bcf49efb74e88fa8d931b4d77c07eff8a6b2144472b6952";

/** Every optional feature on (production globals). */
export const ALL_ON: HelmSets = {
  "global.environment": "production",
  "holodeck-service.image.repository": "registry.example.com/team/python-example",
  "holodeck-service.autoscaling": { enabled: true, minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 60 },
  "holodeck-service.nats.enabled": true,
  "holodeck-service.postgres": { enabled: true, storage: 50, engineVersion: "16", databaseName: "weather", deletionProtection: false },
  "holodeck-service.serviceAccount": { automountToken: true, annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/python-example" } },
  "holodeck-service.networkPolicy.ingressFromNamespaces": ["frontend"],
  "holodeck-service.networkPolicy.egressToNamespaces": ["billing", "weather"],
  "holodeck-service.networkPolicy.internetEgressPorts": [443, 8443],
  "holodeck-service.metrics.port": 8080,
  "holodeck-service.tracing.protocol": "http/protobuf",
  "holodeck-service.tracing.endpoint": "http://jaeger-collector.observability.svc:4318",
  "holodeck-service.logging": { format: "text", level: "debug" },
  "holodeck-service.redis.enabled": true,
  "holodeck-service.workers": {
    consumer: { command: ["faststream", "run", "app:app"], replicas: 3, healthPort: 8081 },
    scheduler: { command: ["python", "-m", "scheduler"], livenessCommand: ["python", "-m", "scheduler.alive"] },
  },
  "holodeck-service.cronJobs": { nightly: { schedule: "0 3 * * *", command: ["python", "-m", "report"], startingDeadlineSeconds: 120 } },
};

/** Every on-by-default feature off. */
export const ALL_OFF: HelmSets = Object.fromEntries<boolean>([
  ...["ingress", "metrics", "alerts", "dashboard", "tracing", "networkPolicy", "pdb", "topologySpread"].map((key): [string, boolean] => [
    `holodeck-service.${key}.enabled`,
    false,
  ]),
  ["holodeck-service.istio.injection", false],
]);

/** Every tunable value off its default. */
export const TUNED: HelmSets = {
  "holodeck-service.port": 8000,
  "holodeck-service.replicas": 4,
  "holodeck-service.command": ["uvicorn"],
  "holodeck-service.args": ["app:app", "--port", "8000"],
  "holodeck-service.image.pullPolicy": "Always",
  "holodeck-service.ingress.annotations": { "nginx.ingress.kubernetes.io/proxy-body-size": "10m", "nginx.ingress.kubernetes.io/ssl-redirect": "false" },
  "holodeck-service.secrets": { enabled: true, envVarsFromVault: { API_TOKEN: "api_token" }, refreshInterval: "15m" },
  "holodeck-service.migrate": { command: ["alembic", "upgrade", "head"], backoffLimit: 0, activeDeadlineSeconds: 1800 },
  "holodeck-service.redis": {
    enabled: true,
    maxMemory: "256mb",
    image: { repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/redis", tag: "7.4.2-alpine", digest: REDIS_DIGEST },
    runAsUser: 20000,
    resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { cpu: "500m", memory: "320Mi" } },
  },
  "holodeck-service.metrics": { port: 9100, path: "/prometheus", interval: "15s" },
  "holodeck-service.alerts": { errorRateThreshold: 0.01, latencyP99Seconds: 0.5, restartThreshold: 5, runbookUrl: "https://wiki.example.com/runbooks" },
  "holodeck-service.tracing.samplerRatio": 0.1,
  "holodeck-service.podSecurity": { runAsUser: 1000, runAsGroup: 2000, fsGroup: 3000 },
  "holodeck-service.resources": { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: 2, memory: "1Gi" } },
  "holodeck-service.ephemeralStorage": { request: "256Mi", limit: "1Gi" },
  "holodeck-service.probes.readiness": { path: "/ready", periodSeconds: 7, failureThreshold: 2 },
  "holodeck-service.pdb.maxUnavailable": 2,
  "holodeck-service.topologySpread.whenUnsatisfiable": "DoNotSchedule",
  "holodeck-service.networkPolicy.internetEgressPorts": [],
};
