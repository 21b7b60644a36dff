// What a changed input makes the provider do, from the providers' own schemas.
//
// docker (@pulumi/docker 5.x bridges kreuzwerker/terraform-provider-docker; pulumi-docker v5.1.0
// pins its `upstream` submodule at 5074970c = tag v4.5.0):
// - internal/provider/resource_docker_container.go: every argument with `ForceNew: true` replaces
//   the container (image, name, envs `env`, labels, cpus, volumes, ports, network_mode, upload, ...).
// - internal/provider/resource_docker_container_funcs.go, resourceDockerContainerUpdate: only
//   restart, max_retry_count, cpu_shares, memory, memory_reservation, cpu_set, memory_swap and the
//   device_*_bps/iops limits are applied to the running container (`docker update`); the other
//   non-ForceNew arguments (wait, healthcheck, destroy_grace_seconds, ...) only change state.
// - internal/provider/resource_docker_image.go (RemoteImage): name, triggers, pull_triggers,
//   platform and every field of `build` (buildSchema) are ForceNew; keep_locally, force_remove are not.
// command (pulumi/pulumi-command v1.2.1):
// - provider/pkg/provider/common/inputs.go: `Triggers ... provider:"replaceOnChanges"`
//   (schema.json: "triggers": {"replaceOnChanges": true}).
// - provider/pkg/provider/local/commandController.go, Update: "Use Create command if Update is
//   unspecified": any other changed input runs `create` again, in place.

// @pulumi/docker 5.2.0 also has deviceCgroupRules, which v4.5.0 lacks: it stays "unknown".

/** replace: delete and create; update: changed in place; state: recorded only, nothing on the node changes. */
export type Effect = "replace" | "update" | "state" | "unknown";

const containerForceNew = new Set([
    "capabilities",
    "cgroupParent",
    "cgroupnsMode",
    "command",
    "devices",
    "deviceRequests",
    "dns",
    "dnsOpts",
    "dnsSearches",
    "domainname",
    "entrypoints",
    "envs",
    "gpus",
    "groupAdds",
    "hostname",
    "hosts",
    "image",
    "ipcMode",
    "labels",
    "logDriver",
    "logOpts",
    "mounts",
    "name",
    "networkMode",
    "networksAdvanced",
    "pidMode",
    "platform",
    "ports",
    "privileged",
    "publishAllPorts",
    "readOnly",
    "runtime",
    "securityOpts",
    "shmSize",
    "stdinOpen",
    "stopSignal",
    "stopTimeout",
    "storageOpts",
    "sysctls",
    "tty",
    "ulimits",
    "uploads",
    "user",
    "usernsMode",
    "volumes",
    "workingDir",
    "cpus",
]);

const containerDockerUpdate = new Set([
    "restart",
    "maxRetryCount",
    "cpuShares",
    "memory",
    "memoryReservation",
    "cpuSet",
    "memorySwap",
    "deviceReadBps",
    "deviceReadIops",
    "deviceWriteBps",
    "deviceWriteIops",
]);

const containerStateOnly = new Set([
    "attach",
    "containerReadRefreshTimeoutMilliseconds",
    "cpuPeriod",
    "cpuQuota",
    "destroyGraceSeconds",
    "healthcheck",
    "init",
    "logs",
    "mustRun",
    "removeVolumes",
    "rm",
    "start",
    "tmpfs",
    "wait",
    "waitTimeout",
]);

const imageForceNew = new Set(["name", "triggers", "pullTriggers", "platform", "build"]);
const imageStateOnly = new Set(["keepLocally", "forceRemove"]);

/** The effect of changing `property` (the top-level input name) of a resource of `type`. */
export function effectOf(type: string, property: string): Effect {
    switch (type) {
        case "docker:index/container:Container":
            if (containerForceNew.has(property)) return "replace";
            if (containerDockerUpdate.has(property)) return "update";
            return containerStateOnly.has(property) ? "state" : "unknown";
        case "docker:index/remoteImage:RemoteImage":
            if (imageForceNew.has(property)) return "replace";
            return imageStateOnly.has(property) ? "state" : "unknown";
        case "command:local:Command":
        case "command:remote:Command":
            return property === "triggers" ? "replace" : "update";
        default:
            // Providers, random, components: not in the table; `pulumi preview` decides.
            return "unknown";
    }
}

/** What an effect means for a reviewer, per resource kind. */
export function effectText(type: string, effect: Effect): string {
    const command = type.startsWith("command:");
    switch (effect) {
        case "replace":
            return command ? "replace: runs create again" : "replace";
        case "update":
            return command ? "update: runs create again" : "update in place";
        case "state":
            return "state only: the running resource is unchanged";
        default:
            return "not in the table: check pulumi preview";
    }
}
