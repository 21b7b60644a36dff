/**
 * The ssh options the program gives each node's docker provider (sshOptions), used for real
 * against the SSH test hosts the way docker's ssh:// helper uses them: the inventory's host key
 * is the only one trusted, connections are multiplexed, and `docker system dial-stdio` reaches
 * each host's own engine.
 */
import { existsSync, mkdirSync, readFileSync } from "fs";
import { spawnSync } from "child_process";
import { homedir } from "os";
import { join } from "path";
import { sshOptions, SshSettings } from "../../lib/nodeProvider";
import { dockerOn, labDir, labHosts, requireLab, run } from "./lab";

/** host -> "ssh-ed25519 AAAA…", the form envs/<env>.yaml holds. */
function hostKeys(): Map<string, string> {
    const lines = readFileSync(join(labDir, "known_hosts"), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
    return new Map(lines.map((l) => [l.split(" ")[0], l.split(" ").slice(1).join(" ")]));
}

/** ssh as docker's connection helper runs it: the provider's opts, then user and host. */
function sshWith(opts: string[], host: string, command: string[], input?: string) {
    return run(
        "ssh",
        ["-F", "/dev/null", "-i", join(labDir, "id_ed25519"), "-o", "IdentitiesOnly=yes", ...opts, "-l", "root", host, "--", ...command],
        input,
    );
}

/** Asks a host's control master (if any) something: "check" or "exit"; returns ssh's stderr. */
function control(opts: string[], host: string, op: "check" | "exit"): string {
    return spawnSync("ssh", ["-F", "/dev/null", ...opts, "-O", op, "-l", "root", host], { encoding: "utf8" }).stderr;
}

describe("docker provider's ssh options against real sshd", () => {
    let hosts: string[];
    let keys: Map<string, string>;
    // The lab environment's ssh settings (envs/lab.yaml).
    const lab: SshSettings = { user: "root", port: 22, hostKeyChecking: "strict" };
    const optsFor = (host: string) => sshOptions(lab, keys.get(host));
    beforeAll(() => {
        requireLab();
        // The documented prerequisite on the machine running Pulumi: multiplexing keeps its sockets there.
        mkdirSync(join(homedir(), ".ssh"), { recursive: true, mode: 0o700 });
        hosts = labHosts();
        keys = hostKeys();
    });
    // A live master would answer without a new host-key check: every test starts without one.
    beforeEach(() => hosts.forEach((h) => control(optsFor(h), h, "exit")));
    afterAll(() => hosts.forEach((h) => control(optsFor(h), h, "exit")));

    test("with each host's own key from the inventory, dial-stdio reaches that host's own engine", async () => {
        const ids: (string | undefined)[] = [];
        for (const host of hosts) {
            // What the provider sends through the tunnel, as plain HTTP: 1.0, so the engine
            // answers unchunked and closes, and dial-stdio ends.
            const out = await sshWith(optsFor(host), host, ["docker", "system", "dial-stdio"], "GET /info HTTP/1.0\r\n\r\n");
            expect(out).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
            const id = /"ID":"([^"]+)"/.exec(out)?.[1];
            expect(id).toBe((await dockerOn(host, "info", "--format", "{{.ID}}")).trim());
            ids.push(id);
        }
        expect(new Set(ids).size).toBe(hosts.length);
    });

    test("another host's key is refused, whatever ~/.ssh/known_hosts says", async () => {
        await expect(sshWith(sshOptions(lab, keys.get(hosts[1])), hosts[0], ["true"])).rejects.toThrow(/Host key verification failed/);
    });

    test("the connection stays up as a control master under ~/.ssh, so parallel calls share it", async () => {
        expect(control(optsFor(hosts[0]), hosts[0], "check")).not.toMatch(/Master running/);
        await sshWith(optsFor(hosts[0]), hosts[0], ["true"]);
        expect(existsSync(join(homedir(), ".ssh"))).toBe(true);
        expect(control(optsFor(hosts[0]), hosts[0], "check")).toMatch(/Master running/);
        const parallel = await Promise.all(Array.from({ length: 12 }, () => sshWith(optsFor(hosts[0]), hosts[0], ["hostname"])));
        expect(new Set(parallel.map((p) => p.trim()))).toEqual(new Set(["parwop-h1"]));
    });
});
