import * as pulumi from "@pulumi/pulumi";
import { listProjectDir, readProjectFile } from "../../config/stack";
import { loadSettings, RawStackConfig } from "../../config/validate";
import { runnerFor } from "../../components/experiment";
import { dockerSshOpts, sshConnection } from "../../lib/nodeProvider";

const lab = (raw: RawStackConfig = {}) => loadSettings({ environment: "lab", tier: "32_2", ...raw }, readProjectFile, listProjectDir);

describe("how commands reach a node", () => {
    test("SSH to the node's host as the environment's user, checking its host key", () => {
        const s = lab();
        const node3 = s.nodes[2];
        expect(sshConnection(node3, s, undefined)).toEqual({
            host: "node3.lab",
            port: 22,
            user: "root",
            privateKey: undefined,
            hostKey: node3.hostKey,
            dialErrorLimit: 10,
            perDialTimeout: 15,
        });
    });

    test("the key from config is passed on as given (a secret Output)", () => {
        const s = lab();
        const key = pulumi.secret("KEY");
        expect(sshConnection(s.nodes[0], s, key)?.privateKey).toBe(key);
    });

    test("local (dev) nodes have no SSH connection", () => {
        const s = loadSettings({ environment: "dev", tier: "dev" }, readProjectFile, listProjectDir);
        expect(sshConnection(s.nodes[0], s, undefined)).toBeUndefined();
    });

    test("docker's ssh: multiplexed, non-interactive, trusting exactly the inventory's host key", () => {
        const key = lab().nodes[0].hostKey!;
        expect(dockerSshOpts("strict", key)).toEqual([
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=15",
            "-o",
            "ServerAliveInterval=15",
            "-o",
            "ControlMaster=auto",
            "-o",
            "ControlPath=~/.ssh/parwop-%C",
            "-o",
            "ControlPersist=120",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            `KnownHostsCommand=/bin/echo %H ${key}`,
        ]);
        expect(dockerSshOpts("off")).toEqual(expect.arrayContaining(["StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null"]));
    });

    test("runs go to the chosen worker in local mode, to the coordinator in distributed mode", () => {
        expect(runnerFor(lab({ experiment: { mode: "local", localWorker: "worker-3" } }))).toEqual({
            node: "node3",
            container: "parwop-worker",
        });
        expect(runnerFor(lab({ experiment: { mode: "local" } }))).toEqual({ node: "node1", container: "parwop-worker" });
        expect(runnerFor(lab({ experiment: { mode: "distributed" } }))).toEqual({ node: "node1", container: "parwop-coordinator" });
    });
});
