#!/usr/bin/env bash
# Scans what the project deploys for misconfigurations with Trivy's Kubernetes checks (`trivy config`, its
# built-in policies, no download): the chart rendered with its defaults and with the e2e values, and k8s/ as
# kustomize builds it. Fails on any HIGH or CRITICAL finding. Before that, the scanner must flag a manifest
# that is wrong on purpose (a privileged root pod), so a scanner that checks nothing cannot pass.
# Trivy (TRIVY_VERSION of versions.env) comes from scripts/trivy.sh: built once from its Go module into the
# cache outside the tree, so a first run takes minutes and later runs seconds.
# `npm run lint:manifests`; a step of .ci/run and of ci.yml's test job.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.env
source versions.env
trivy="$(scripts/trivy.sh)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
helm="$(scripts/ci-machine/helm.sh)"
kubectl="$(scripts/ci-machine/kube-tool.sh kubectl)"

scan() {
  # --skip-check-update: the policies built into this Trivy, never a download.
  "$trivy" config --quiet --skip-check-update --severity HIGH,CRITICAL --format json --output "$2" "$1" >/dev/null
  # shellcheck disable=SC2016 # the quoted text is JavaScript; its ${...} are not the shell's
  node -e '
    const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const failures = (report.Results ?? []).flatMap((r) => (r.Misconfigurations ?? []).filter((m) => m.Status === "FAIL").map((m) => `${r.Target}: ${m.ID} ${m.Severity} ${m.Title}: ${m.Message}`));
    for (const f of failures) console.log(f);
    console.log(`${failures.length}`);
  ' "$2"
}

mkdir -p "$work/control"
cat >"$work/control/privileged.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: control, namespace: control}
spec:
  hostNetwork: true
  containers:
    - name: c
      image: busybox:1.36
      securityContext: {privileged: true, runAsUser: 0, allowPrivilegeEscalation: true}
YAML
control_findings="$(scan "$work/control" "$work/control.json" | tail -n 1)"
if ((control_findings == 0)); then
  echo "lint-manifests: Trivy found nothing in a privileged root pod: the scanner is not checking, so nothing it passes can be trusted" >&2
  exit 1
fi

mkdir -p "$work/manifests"
"$helm" template page-tracker charts/page-tracker --namespace page-tracker >"$work/manifests/chart-defaults.yaml"
"$helm" template page-tracker charts/page-tracker --namespace page-tracker --values test/e2e/kind-values.yaml >"$work/manifests/chart-e2e.yaml"
# k8s/ as a user applies it: in a copy, with the secret files the README's first step writes.
cp -R k8s "$work/k8s"
scripts/k8s-secret-env.sh "$work/k8s/base/redis.secret.env" >/dev/null
"$kubectl" kustomize "$work/k8s" >"$work/manifests/k8s.yaml"
output="$(scan "$work/manifests" "$work/manifests.json")"
findings="$(printf '%s\n' "$output" | tail -n 1)"
printf '%s\n' "$output" | sed '$d'
echo "lint-manifests: Trivy $TRIVY_VERSION: the control pod has $control_findings HIGH/CRITICAL findings; the chart (defaults, e2e values) and k8s/ have $findings"
((findings == 0))
