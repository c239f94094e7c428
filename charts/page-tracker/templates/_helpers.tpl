{{/* Names are cut at 63 characters: the DNS label limit that Service names obey. */}}
{{- define "page-tracker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "page-tracker.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Leaves room for the "-redis-headless" suffix. */}}
{{- define "page-tracker.redis.fullname" -}}
{{- printf "%s-redis" (include "page-tracker.fullname" . | trunc 54 | trimSuffix "-") -}}
{{- end -}}

{{- define "page-tracker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels never change after the first install: a selector is immutable. Usage: (dict "ctx" $ "component" "app") */}}
{{- define "page-tracker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "page-tracker.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "page-tracker.labels" -}}
{{ include "page-tracker.selectorLabels" . }}
helm.sh/chart: {{ include "page-tracker.chart" .ctx }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: page-tracker
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* metadata.annotations (common + extra), already indented under metadata; nothing when there are none. */}}
{{- define "page-tracker.annotations" -}}
{{- $all := merge (dict) (.extra | default dict) .ctx.Values.commonAnnotations -}}
{{- with $all }}
  annotations:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end -}}

{{/* registry/repository:tag@digest. Usage: (dict "image" .Values.image "defaultTag" .Chart.AppVersion) */}}
{{- define "page-tracker.image" -}}
{{- $repo := .image.repository -}}
{{- if .image.registry -}}{{- $repo = printf "%s/%s" .image.registry .image.repository -}}{{- end -}}
{{- $tag := .image.tag | default .defaultTag | toString -}}
{{- if not $tag -}}{{- fail (printf "image %s has no tag: set its tag" $repo) -}}{{- end -}}
{{- if eq $tag "latest" -}}{{- fail (printf "image %s uses the tag latest: pin a version so every pod runs the same build" $repo) -}}{{- end -}}
{{- if .image.digest -}}
{{- printf "%s:%s@%s" $repo $tag .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{- define "page-tracker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "page-tracker.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The container security context of the PSS "restricted" profile; every container uses it. */}}
{{- define "page-tracker.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The pod security context: numeric ids from values, the rest fixed to what "restricted" demands. */}}
{{- define "page-tracker.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup }}
fsGroup: {{ .fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* ---- Redis connection: where the app finds Redis and its password ---- */}}

{{/*
How the app reaches Redis: "standalone" (REDIS_URL), "sentinel" or "cluster"; the in-release Redis is
standalone, or sentinel with redis.architecture replication.
*/}}
{{- define "page-tracker.redis.mode" -}}
{{- if .Values.redis.enabled -}}
{{- ternary "sentinel" "standalone" (eq (include "page-tracker.redis.replication" .) "true") -}}
{{- else -}}
{{- $mode := .Values.externalRedis.mode -}}
{{- if and (eq $mode "sentinel") (or (not .Values.externalRedis.sentinels) (not .Values.externalRedis.sentinelName)) -}}
{{- fail "externalRedis.sentinels and externalRedis.sentinelName are required when externalRedis.mode is sentinel" -}}
{{- end -}}
{{- if and (eq $mode "cluster") (not .Values.externalRedis.clusterNodes) -}}
{{- fail "externalRedis.clusterNodes is required when externalRedis.mode is cluster" -}}
{{- end -}}
{{- if and (eq $mode "cluster") (not .Values.config.redisKeyPrefix) -}}
{{- fail "config.redisKeyPrefix must not be empty when externalRedis.mode is cluster: it is the hash tag that keeps every key in one slot" -}}
{{- end -}}
{{- if and (ne $mode "standalone") .Values.externalRedis.tls -}}
{{- fail "externalRedis.tls works in standalone mode only (the app does not speak TLS to Sentinels or cluster nodes yet)" -}}
{{- end -}}
{{- $mode -}}
{{- end -}}
{{- end -}}

{{/*
"true" when the chart runs Redis as a primary, replicas and Sentinels (redis.architecture replication), after
checking what that needs: a majority of Sentinels left once a pod is lost (redis.replicas, at least 3 by the
schema), a quorum they can reach, and a replica acknowledgement the primary can still get after a failover
(the promoted primary keeps redis.replicas - 2 replicas while the lost pod is away).
*/}}
{{- define "page-tracker.redis.replication" -}}
{{- $r := .Values.redis -}}
{{- if and $r.enabled (eq $r.architecture "replication") -}}
{{- if gt (int $r.sentinel.quorum) (int $r.replicas) -}}
{{- fail (printf "redis.sentinel.quorum (%v) must not exceed redis.replicas (%v): no failover could ever be agreed" $r.sentinel.quorum $r.replicas) -}}
{{- end -}}
{{- if gt (int .Values.config.redisMinReplicasAck) (sub (int $r.replicas) 2) -}}
{{- fail (printf "config.redisMinReplicasAck (%v) must be at most redis.replicas - 2 (%v): after a failover the new primary has that many replicas until the lost pod is back, and every view would be a 503" .Values.config.redisMinReplicasAck (sub (int $r.replicas) 2)) -}}
{{- end -}}
true
{{- end -}}
{{- end -}}

{{/*
The Redis pods' full host names, one per line: what the Sentinels and replicas announce
(announce-hostnames), so they name a pod by the stable name of the headless Service, not by an IP address
that changes when the pod is replaced.
*/}}
{{- define "page-tracker.redis.nodes" -}}
{{- $name := include "page-tracker.redis.fullname" . -}}
{{- range $i := until (int .Values.redis.replicas) }}
{{ include "page-tracker.redis.podHost" (dict "ctx" $ "pod" (printf "%s-%d" $name $i)) }}
{{- end -}}
{{- end -}}

{{/* One Redis pod's full host name, under the headless Service. Usage: (dict "ctx" $ "pod" "<pod name>") */}}
{{- define "page-tracker.redis.podHost" -}}
{{- $name := include "page-tracker.redis.fullname" .ctx -}}
{{- printf "%s.%s-headless.%s.svc.%s" .pod $name .ctx.Release.Namespace .ctx.Values.clusterDomain -}}
{{- end -}}

{{/*
The environment both containers of a replicated Redis pod share: their own host name (what they announce)
and every pod's, and the sentinel user's password (the Redis container hashes it into the ACL file, the
Sentinel logs in with it).
*/}}
{{- define "page-tracker.redis.replicationEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: REDIS_HOST
  value: {{ include "page-tracker.redis.podHost" (dict "ctx" . "pod" "$(POD_NAME)") | quote }}
- name: REDIS_NODES
  value: {{ include "page-tracker.redis.nodes" . | trim | splitList "\n" | join " " | quote }}
- name: REDIS_SENTINEL_USER_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "page-tracker.redis.usersSecretName" . }}
      key: sentinel-password
{{- end -}}

{{/* The Sentinels the app asks for the primary (REDIS_SENTINELS), and the name they know it by. */}}
{{- define "page-tracker.redis.sentinels" -}}
{{- if .Values.redis.enabled -}}
{{- $nodes := list -}}
{{- range (include "page-tracker.redis.nodes" . | trim | splitList "\n") }}{{ $nodes = append $nodes (printf "%s:26379" .) }}{{ end -}}
{{- join "," $nodes -}}
{{- else -}}
{{- join "," .Values.externalRedis.sentinels -}}
{{- end -}}
{{- end -}}

{{- define "page-tracker.redis.sentinelName" -}}
{{- ternary .Values.redis.sentinel.masterSet .Values.externalRedis.sentinelName .Values.redis.enabled -}}
{{- end -}}

{{- define "page-tracker.redis.url" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s:6379" (include "page-tracker.redis.fullname" .) -}}
{{- else -}}
{{- if not .Values.externalRedis.host -}}
{{- fail "externalRedis.host is required when redis.enabled is false" -}}
{{- end -}}
{{- printf "%s://%s:%v" (ternary "rediss" "redis" .Values.externalRedis.tls) .Values.externalRedis.host .Values.externalRedis.port -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the password: an existing one, or the chart's own "<fullname>-redis". */}}
{{- define "page-tracker.redis.secretName" -}}
{{- if and .Values.redis.enabled .Values.redis.auth.existingSecret -}}
{{- .Values.redis.auth.existingSecret -}}
{{- else if and (not .Values.redis.enabled) .Values.externalRedis.existingSecret -}}
{{- .Values.externalRedis.existingSecret -}}
{{- else -}}
{{- include "page-tracker.redis.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "page-tracker.redis.secretKey" -}}
{{- if and .Values.redis.enabled .Values.redis.auth.existingSecret -}}
{{- .Values.redis.auth.existingSecretPasswordKey -}}
{{- else if and (not .Values.redis.enabled) .Values.externalRedis.existingSecret -}}
{{- .Values.externalRedis.existingSecretPasswordKey -}}
{{- else -}}
redis-password
{{- end -}}
{{- end -}}

{{/* Whether the chart makes the password Secret itself. */}}
{{- define "page-tracker.redis.createSecret" -}}
{{- if .Values.redis.enabled -}}
{{- if not .Values.redis.auth.existingSecret }}true{{ end -}}
{{- else -}}
{{- if and (not .Values.externalRedis.existingSecret) .Values.externalRedis.password }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/* Whether the app gets a password at all (an external Redis may have none). */}}
{{- define "page-tracker.redis.hasPassword" -}}
{{- if or .Values.redis.enabled .Values.externalRedis.existingSecret .Values.externalRedis.password }}true{{ end -}}
{{- end -}}

{{/*
Kept across upgrades: an explicit value wins, else the password already in the cluster, else a new one.
Worked out once per render and kept on the root context (shared by every template of this chart), because
the Secret and the checksum/secret annotations of the Deployment and the StatefulSet all include it: a fresh
randAlphaNum per include would give them three different values, and the first no-change upgrade (whose
lookup finds the stored password) would change both checksums and roll every pod. Callers pass the root
context.
*/}}
{{- define "page-tracker.redis.password" -}}
{{- if not (hasKey . "pageTrackerRedisPassword") -}}
{{- $explicit := ternary .Values.redis.auth.password .Values.externalRedis.password .Values.redis.enabled -}}
{{- $password := "" -}}
{{- if $explicit -}}
{{- $password = $explicit -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "page-tracker.redis.fullname" .) -}}
{{- if and $existing (index ($existing.data | default dict) "redis-password") -}}
{{- $password = index $existing.data "redis-password" | b64dec -}}
{{- else -}}
{{- $password = randAlphaNum 32 -}}
{{- end -}}
{{- end -}}
{{- $_ := set . "pageTrackerRedisPassword" $password -}}
{{- end -}}
{{- get . "pageTrackerRedisPassword" -}}
{{- end -}}

{{/* The Secret with the passwords of the chart Redis's probe and exporter users: a named one, else the chart's own. */}}
{{- define "page-tracker.redis.usersSecretName" -}}
{{- .Values.redis.auth.existingUsersSecret | default (printf "%s-users" (include "page-tracker.redis.fullname" .)) -}}
{{- end -}}

{{/*
A password of the probe or exporter user (dict "ctx" root "key" Secret key): the one already in the cluster,
else a new one, worked out once per render like the app user's password above.
*/}}
{{- define "page-tracker.redis.userPassword" -}}
{{- $cacheKey := printf "pageTrackerRedisUser-%s" .key -}}
{{- if not (hasKey .ctx $cacheKey) -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace (include "page-tracker.redis.usersSecretName" .ctx) -}}
{{- $value := "" -}}
{{- if and $existing (index ($existing.data | default dict) .key) -}}
{{- $value = index $existing.data .key | b64dec -}}
{{- else -}}
{{- $value = randAlphaNum 32 -}}
{{- end -}}
{{- $_ := set .ctx $cacheKey $value -}}
{{- end -}}
{{- get .ctx $cacheKey -}}
{{- end -}}

{{/*
The ACL user of the app when the chart runs Redis, and the app's user name for REDIS_USERNAME (empty: none).
*/}}
{{- define "page-tracker.redis.username" -}}
{{- ternary .Values.redis.auth.username .Values.externalRedis.username .Values.redis.enabled -}}
{{- end -}}

{{/*
The chart Redis's ACL file, with @..._PASSWORD_SHA256@ where each user's password hash goes: the Redis
container fills them in at start from the Secrets (the app's password may live in a Secret the chart never
reads, redis.auth.existingSecret), so the file holds hashes, never a password. Redis's ACL file has no
comment syntax; the why of each line is here:
- default: off, so no one can log in as it and a client without a user name gets nothing. It keeps all
  rights all the same: Redis replays the AOF as this user, and a script's writes are logged there inside
  MULTI/EXEC, which Redis (7.0 at least) refuses on loading when this user may not run them: every count
  would be gone after a restart.
- the app: its own keys (config.redisKeyPrefix, glob characters escaped) and exactly the commands it sends:
  PING (readiness), INFO (ioredis waits with it until Redis has loaded its data), EVALSHA and EVAL (the
  scripts of src/store/redis-scripts.ts; ioredis sends EVAL once after a NOSCRIPT), and the commands those
  scripts call, which Redis checks against this same user. So a script can do nothing the user could not do
  directly: no FLUSHALL, CONFIG, KEYS, no key outside the prefix. test/chart/redis-acl-rules.test.ts holds
  this list to the scripts. WAIT too when config.redisMinReplicasAck is above 0: the app sends it after each
  batch, to learn how many replicas hold it.
- probe: PING only, for the kubelet's probes.
- exporter: what redis_exporter's README documents for a dedicated user, and no keys (the chart asks it for
  no key metrics). Without ARCOUNT: a Redis 8 command, and Redis 7 refuses a whole ACL file that names a
  command it does not know.
- replicator (replication only): what Redis's ACL documentation gives a replica's user (masteruser): PSYNC,
  REPLCONF and PING, no keys.
- sentinel (replication only): what Redis's ACL documentation ("ACL rules for Sentinel and Replicas") gives
  the Sentinels' user (sentinel auth-user): every channel (they find each other through
  __sentinel__:hello), INFO, ROLE, PING, the MULTI ... EXEC that turns a replica into the primary (SLAVEOF,
  CONFIG REWRITE, CLIENT KILL) and SCRIPT KILL; no keys.
*/}}
{{- define "page-tracker.redis.aclFile" -}}
{{- $prefix := regexReplaceAll "([*?\\[\\]\\\\])" .Values.config.redisKeyPrefix "\\${1}" -}}
user default reset off ~* &* +@all
user {{ .Values.redis.auth.username }} reset on #@APP_PASSWORD_SHA256@ ~{{ $prefix }}* -@all +ping +info +evalsha +eval +get +set +incr +pexpire +zscore +zcard +zincrby +pfadd +pfcount +zrevrange +mget +del +zunionstore +zadd +incrby +zrem {{- if gt (int .Values.config.redisMinReplicasAck) 0 }} +wait{{ end }}
user probe reset on #@PROBE_PASSWORD_SHA256@ -@all +ping
{{- if .Values.redis.exporter.enabled }}
user exporter reset on #@EXPORTER_PASSWORD_SHA256@ -@all +@connection +memory -readonly +strlen +config|get +xinfo +pfcount -quit +zcard +type +xlen -readwrite -command +client -wait +scard +llen +hlen +get +eval +slowlog +cluster|info +cluster|slots +cluster|nodes -hello -echo +info +latency +scan -reset -auth -asking
{{- end }}
{{- if include "page-tracker.redis.replication" . }}
user replicator reset on #@REPLICATION_PASSWORD_SHA256@ -@all +psync +replconf +ping
user sentinel reset on #@SENTINEL_PASSWORD_SHA256@ resetchannels &* -@all +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill
{{- end }}
{{- end -}}

{{/*
The checksum/secret annotation that rolls the pods when the password changes: a SHA-256 of the password
salted with a random value kept in the same Secret (`checksum-salt`, generated once and kept across upgrades
like the password). Unsalted it would be the password's own hash, readable by anyone with the `view` role
and open to a dictionary attack; salted it is worth nothing without the Secret. Callers pass the root context.
*/}}
{{- define "page-tracker.redis.secretChecksum" -}}
{{- if not (hasKey . "pageTrackerRedisChecksumSalt") -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "page-tracker.redis.fullname" .) -}}
{{- $salt := "" -}}
{{- if and $existing (index ($existing.data | default dict) "checksum-salt") -}}
{{- $salt = index $existing.data "checksum-salt" | b64dec -}}
{{- else -}}
{{- $salt = randAlphaNum 32 -}}
{{- end -}}
{{- $_ := set . "pageTrackerRedisChecksumSalt" $salt -}}
{{- end -}}
{{- printf "%s:%s" (get . "pageTrackerRedisChecksumSalt") (include "page-tracker.redis.password" .) | sha256sum | trunc 16 -}}
{{- end -}}

{{/* The salt of that checksum, for the Secret. */}}
{{- define "page-tracker.redis.checksumSalt" -}}
{{- $_ := include "page-tracker.redis.secretChecksum" . -}}
{{- get . "pageTrackerRedisChecksumSalt" -}}
{{- end -}}

{{- define "page-tracker.terminationGracePeriodSeconds" -}}
{{- $drain := add .Values.config.shutdownDelaySeconds .Values.config.shutdownTimeoutSeconds -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds -}}
{{- add $drain 10 -}}
{{- else if le (int .Values.terminationGracePeriodSeconds) (int $drain) -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be greater than config.shutdownDelaySeconds + config.shutdownTimeoutSeconds (%v), or the kubelet kills pods mid-drain" .Values.terminationGracePeriodSeconds $drain) -}}
{{- else -}}
{{- .Values.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end -}}

{{/*
The Secret holding VISITOR_SECRET: the one named in visitorSecret.existingSecret, else the chart's own.
*/}}
{{/*
The Secret holding the admin API's token (config.adminToken): the one named in existingSecret, else the chart's own.
*/}}
{{- define "page-tracker.adminToken.name" -}}
{{- .Values.config.adminToken.existingSecret | default (printf "%s-admin" (include "page-tracker.fullname" .)) -}}
{{- end -}}

{{- define "page-tracker.visitorSecret.name" -}}
{{- .Values.visitorSecret.existingSecret | default (printf "%s-visitor" (include "page-tracker.fullname" .)) -}}
{{- end -}}

{{/*
The paths visitors use (src/routes), the only ones the Ingress and the HTTPRoute route: the home page, the
API, badges, the embed script, the icon and the API's description. Not /healthz, /readyz (its failure
reasons are for operators) or /version; /metrics is on another port altogether. A Prefix matches whole path
segments: /api matches /api/views but not /apix. test/chart/routes.test.ts holds this list to the routes.
*/}}
{{- define "page-tracker.visitorPaths" -}}
- {path: /, type: Exact}
- {path: /api, type: Prefix}
- {path: /badge, type: Prefix}
- {path: /pt.js, type: Exact}
- {path: /favicon.ico, type: Exact}
- {path: /openapi.json, type: Exact}
{{- end -}}
