/**
 * The shipped dev stack (Pulumi.dev.yaml, envs/dev.yaml, stacks/dev.yaml) for the engine tests,
 * with only what cannot exist here pointed at the lab: the PARWOP source (the stand-in's build
 * context and code), the datasets (the lab's fixture data) and the broker image (the lab's
 * RabbitMQ, built from Debian; no registry can be reached).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { repoRoot } from "../helpers/fixture";

const labDir = path.join(repoRoot, ".lab");
export const labImages = { rabbitmq: "parwop-lab-rabbitmq:test", base: "parwop-lab-base:bookworm" };

interface DevEnv {
    codeDir: string;
    dataDir: string;
    brokerImage?: string;
    image: { name: string; build?: { context: string } };
    nodes: { name: string; workerId: string; dataDir?: string; containerName?: string }[];
}

/** The dev stack's project files, mapped to the lab. */
export function devStackFiles(): Record<string, string> {
    const env = parse(fs.readFileSync(path.join(repoRoot, "envs", "dev.yaml"), "utf8")) as DevEnv;
    env.codeDir = path.join(repoRoot, "test", "standin", "code");
    env.dataDir = path.join(labDir, "data");
    env.brokerImage = labImages.rabbitmq;
    // The stand-in's runtime image, built by the program's RemoteImage from its Dockerfile, as a user's build of PARWOP would be.
    env.image.build = { context: path.join(repoRoot, "test", "standin", "image") };
    for (const node of env.nodes) node.dataDir = path.join(labDir, "data", node.workerId);
    return {
        "envs/dev.yaml": stringify(env),
        "stacks/dev.yaml": fs.readFileSync(path.join(repoRoot, "stacks", "dev.yaml"), "utf8"),
        "Pulumi.dev.yaml": fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8"),
    };
}

/** `docker inspect` of containers on the machine's engine, as docker itself reports them. */
export function inspect(...names: string[]): DockerContainer[] {
    return JSON.parse(execFileSync("docker", ["inspect", ...names], { encoding: "utf8" })) as DockerContainer[];
}

/** Names of the containers on the machine's engine that carry a stack's label. */
export function containersOf(stack: string): string[] {
    return execFileSync("docker", ["ps", "-a", "--filter", `label=parwop.stack=${stack}`, "--format", "{{.Names}}"], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean)
        .sort();
}

export function removeContainersOf(stack: string): void {
    const names = containersOf(stack);
    if (names.length > 0) execFileSync("docker", ["rm", "-f", ...names], { stdio: "ignore" });
}

export interface DockerContainer {
    Id: string;
    Name: string;
    Image: string;
    State: { Running: boolean; Health?: { Status: string } };
    Config: { Env: string[]; Labels: Record<string, string>; Cmd: string[]; User: string };
    HostConfig: {
        Memory: number;
        MemorySwap: number;
        NanoCpus: number;
        NetworkMode: string;
        SecurityOpt: string[] | null;
        RestartPolicy: { Name: string };
        Binds: string[] | null;
        PortBindings: Record<string, { HostIp: string; HostPort: string }[]> | null;
    };
}
