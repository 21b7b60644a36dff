/**
 * A lab stack for the engine tests: the SSH test hosts (test/lab/hosts.sh), each with its own
 * Docker engine, as an environment of the program — strict host keys from the hosts' own key
 * files, the login key in an ssh-agent as a user's would be — and two small test-owned tiers
 * that fit this machine. Only what cannot exist here is the lab's: the PARWOP source (the
 * stand-in's), the datasets (the lab's fixture data, shared by the hosts' one filesystem as a
 * lab's NFS would be) and the broker image.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { repoRoot } from "../helpers/fixture";
import { controlPath } from "../../lib/nodeProvider";
import { shellLine } from "../../lib/scripts";
import { DockerContainer, labImages } from "./devstack";

export const labDir = path.join(repoRoot, ".lab");
/** The environment's name in the test project (envs/<name>.yaml). */
export const labEnv = "testlab";
/** Two tiers this 2-core machine can hold: preflight checks RAM and CPUs on every host. */
export const labTiers = { small: { ramGiB: 1, cpus: 1 }, big: { ramGiB: 2, cpus: 2 } } as const;
export type LabTier = keyof typeof labTiers;
export const labStack = (tier: LabTier) => `${labEnv}-${tier}`;

export interface LabHost {
    index: number;
    address: string;
    hostKey: string;
}

/** The hosts that are up now, in order (.lab/hosts, written by hosts.sh). */
export function labHosts(): LabHost[] {
    return fs
        .readFileSync(path.join(labDir, "hosts"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((address) => {
            const index = Number(address.split(".").pop()) - 10;
            const key = fs.readFileSync(path.join(labDir, "hostsd", `h${index}`, "ssh_host_ed25519_key.pub"), "utf8");
            return { index, address, hostKey: key.split(" ").slice(0, 2).join(" ") };
        });
}

export const nodeName = (h: LabHost) => `node${h.index}`;

/** Two fixture datasets; each worker reads its own copy of one. */
export const labDataDir = (h: LabHost) => path.join(labDir, "data", `worker-${((h.index - 1) % 2) + 1}`);

/** envs/testlab.yaml for these hosts: node1 runs the coordinator and the broker. */
export function labEnvironment(hosts: LabHost[], dataDirOf = labDataDir): string {
    return stringify({
        coordinatorNode: nodeName(hosts[0]),
        ssh: { user: "root", port: 22, hostKeyChecking: "strict" },
        codeDir: path.join(repoRoot, "test", "standin", "code"),
        dataDir: path.join(labDir, "data", "worker-1"),
        dumpsDir: "/tmp/parwop_dumps",
        image: { name: "parwop-standin:labstack", build: { context: path.join(repoRoot, "test", "standin", "image") } },
        brokerImage: labImages.rabbitmq,
        nodes: hosts.map((h) => ({
            name: nodeName(h),
            host: h.address,
            workerId: `worker-${h.index}`,
            dataDir: dataDirOf(h),
            hostKey: h.hostKey,
        })),
    });
}

/** Every file the lab stacks need in a test project. */
export function labStackFiles(hosts: LabHost[] = labHosts(), dataDirOf = labDataDir): Record<string, string> {
    const files: Record<string, string> = { [`envs/${labEnv}.yaml`]: labEnvironment(hosts, dataDirOf) };
    for (const [tier, t] of Object.entries(labTiers)) {
        files[`stacks/${tier}.yaml`] = stringify({ ...t, memoryHeadroom: 1.1, queryMemoryRecords: 100000 });
        files[`Pulumi.${labStack(tier as LabTier)}.yaml`] = stringify({
            config: {
                "parwop:environment": labEnv,
                "parwop:tier": tier,
                "parwop:experiment": {
                    mode: "distributed",
                    repetitions: 1,
                    queries: [{ name: "SQ1", partitionBy: ["SOURCE_POINT_NUMBER"], orderBy: ["SENSOR_NUMBER"] }],
                },
                "parwop:healthGate": { timeoutSeconds: 120, maxHeartbeatAgeSeconds: 60 },
            },
        });
    }
    return files;
}

/**
 * An ssh-agent holding the lab's login key, as a user's agent holds theirs: the docker provider
 * and the node commands log in with it. stop() kills it and closes every multiplexed connection
 * the program opened (ControlPersist would keep them for two minutes).
 */
export class LabAgent {
    readonly socket: string;
    private readonly pid: number;

    constructor() {
        // The program keeps its control sockets in ~/.ssh (it warns when that does not exist).
        fs.mkdirSync(path.join(os.homedir(), ".ssh"), { recursive: true, mode: 0o700 });
        this.socket = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "parwop-agent-")), "agent.sock");
        const out = execFileSync("ssh-agent", ["-s", "-a", this.socket], { encoding: "utf8" });
        this.pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
        execFileSync("ssh-add", ["-q", path.join(labDir, "id_ed25519")], { env: { ...process.env, SSH_AUTH_SOCK: this.socket } });
    }

    stop(hosts: LabHost[] = labHosts()): void {
        for (const h of hosts) closeMaster(h);
        try {
            process.kill(this.pid, "SIGTERM");
        } catch {
            // already gone
        }
        fs.rmSync(path.dirname(this.socket), { recursive: true, force: true });
    }
}

/** Ends the program's multiplexed connection to a host, if one is open (the program's ControlPath, so the same socket). */
export function closeMaster({ address, hostKey }: LabHost): void {
    spawnSync("ssh", ["-o", `ControlPath=${controlPath(hostKey)}`, "-O", "exit", "-p", "22", `root@${address}`], { stdio: "ignore" });
}

/** `docker ARGS` on a host's own engine, through its sshd as a node's would be reached. */
export function dockerOn(address: string, ...args: string[]): string {
    return execFileSync("ssh", ["-F", path.join(labDir, "ssh_config"), `root@${address}`, shellLine(["docker", ...args])], {
        encoding: "utf8",
    });
}

/** `docker inspect` of containers on one host's engine. */
export function inspectOn(address: string, ...names: string[]): DockerContainer[] {
    return JSON.parse(dockerOn(address, "inspect", ...names)) as DockerContainer[];
}

/** Names of the containers of a stack on one host's engine. */
export function containersOn(address: string, stack: string): string[] {
    return dockerOn(address, "ps", "-a", "--filter", `label=parwop.stack=${stack}`, "--format", "{{.Names}}")
        .split("\n")
        .filter(Boolean)
        .sort();
}
