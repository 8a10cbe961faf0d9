#!/usr/bin/env bash
# Benchmarks `helm template` on the documented example values (test/fixtures/wrapper-chart,
# the wrapper chart around charts/holodeck-service) with the parameters the services
# ApplicationSet sets, i.e. what Argo CD's repo-server runs per service and refresh.
# Usage: scripts/bench-helm-template.sh [runs]   (default 30)
# Prints wall-clock min/median/mean/max and the CPU time (user+sys) per run; on a busy
# machine the CPU time and the minimum are the stable numbers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-30}"
helm="${HOLODECK_TOOLS:-$root/.tools}/bin/helm"
[[ -x "$helm" ]] || bash "$root/scripts/install/helm.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/test/fixtures/wrapper-chart" "$work/chart"
# The copy lives elsewhere: point its file:// dependency at the absolute chart path.
sed -i "s#file://.*holodeck-service#file://$root/charts/holodeck-service#" "$work/chart/Chart.yaml"
"$helm" dependency build "$work/chart" >/dev/null

args=(template python-example "$work/chart" --namespace python-example --kube-version 1.36.0
  --values "$work/chart/values.yaml"
  --set-string holodeck-service.image.tag=1.4.2
  --set "global.clusterDomain=staging.eu-west-1.holodeck.dev,global.environment=staging"
  --set "global.clusterIssuer=letsencrypt-staging,global.imageRegistry=123456789012.dkr.ecr.eu-west-1.amazonaws.com"
  --set global.vpcCidr=10.20.0.0/16
  --set "global.edge=gateway,global.gateway.namespace=envoy-gateway-system,global.gateway.name=holodeck,global.gateway.sectionName=https-services")
objects="$("$helm" "${args[@]}" | grep -c '^kind:')"

times=()
cpu_before="$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)"
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$helm" "${args[@]}" >/dev/null
  times+=($(( ($(date +%s%N) - start) / 1000 )))
done
# utime+stime of this shell's waited-for children, in clock ticks.
cpu_ms=$(( ($(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat) - cpu_before) * 1000 / $(getconf CLK_TCK) ))
printf '%s\n' "${times[@]}" | sort -n | awk -v runs="$runs" -v objects="$objects" -v cpu="$cpu_ms" -v version="$("$helm" version --template '{{.Version}}')" '
  { t[NR] = $1 / 1000; sum += $1 / 1000 }
  END {
    median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "helm %s template, documented example (%d objects), %d runs: wall min %.1f ms, median %.1f ms, mean %.1f ms, max %.1f ms; CPU %.1f ms per run\n",
      version, objects, runs, t[1], median, sum / NR, t[NR], cpu / runs
  }'
