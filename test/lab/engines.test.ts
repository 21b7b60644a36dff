/**
 * Every SSH test host has its own Docker engine (test/lab/engines.sh), reached as a real node's
 * is: through the host's sshd, where a plain `docker` talks to that host's engine, never to the
 * machine's. So per-node Docker providers can be told apart and per-node container names do
 * not collide. Everything here is asked over ssh, as the program's providers and commands ask.
 */
import { realpathSync } from "fs";
import { join } from "path";
import { docker, dockerOn, images, labDir, labHosts, labLabel, requireLab, run, ssh, uniqueName } from "./lab";

const namesOn = async (list: Promise<string>) => (await list).split("\n").filter((l) => l !== "");
const byName = (name: string) => ["ps", "-a", "--filter", `name=^${name}$`, "--format", "{{.ID}}"];

describe("one Docker engine per SSH test host", () => {
    let hosts: string[];
    beforeAll(() => {
        requireLab();
        hosts = labHosts();
    });

    test("each host's docker info reports its own engine: own ID, data root and name, none the machine's", async () => {
        const machineId = (await docker("info", "--format", "{{.ID}}")).trim();
        const infos = await Promise.all(hosts.map((h) => dockerOn(h, "info", "--format", "{{.ID}} {{.DockerRootDir}} {{.Name}}")));
        const rows = infos.map((i) => i.trim().split(" "));
        const ids = rows.map(([id]) => id);
        expect(new Set(ids).size).toBe(hosts.length);
        expect(ids).not.toContain(machineId);
        expect(rows.map(([, root, name]) => [root, name])).toEqual(
            // The real path: .lab may be a symlink (a git worktree sharing another checkout's lab).
            hosts.map((_h, i) => [join(realpathSync(labDir), "engines", `h${i + 1}`), `parwop-h${i + 1}`]),
        );
    });

    test("the engine is the session's default socket, not an environment variable: env -i docker reaches it too", async () => {
        for (const host of hosts) {
            const [plain, scrubbed] = (await ssh(host, "docker info --format '{{.ID}}'; env -i /usr/bin/docker info --format '{{.ID}}'"))
                .trim()
                .split("\n");
            expect(scrubbed).toBe(plain);
        }
    });

    test("every host's engine holds the lab's images, with the machine's image IDs", async () => {
        const wanted = await Promise.all(
            Object.values(images).map(async (i) => (await docker("image", "inspect", "-f", "{{.Id}}", i)).trim()),
        );
        for (const host of hosts) {
            const ids = await dockerOn(host, "image", "inspect", "-f", "{{.Id}}", ...Object.values(images));
            expect(ids.trim().split("\n")).toEqual(wanted);
        }
    });

    test("a container started through one host's engine is not on another host's nor on the machine's; its name is free there", async () => {
        const name = uniqueName("engine-probe");
        const start = (host: string) =>
            dockerOn(host, "run", "-d", `--name=${name}`, `--label=${labLabel}`, "--network=host", images.base, "sleep", "300");
        const [first, second, ...others] = hosts;
        try {
            const id = (await start(first)).trim();
            expect(await namesOn(dockerOn(first, ...byName(name)))).toEqual([id.slice(0, 12)]);
            for (const host of [second, ...others]) {
                expect(await namesOn(dockerOn(host, ...byName(name)))).toEqual([]);
            }
            expect(await namesOn(docker(...byName(name)))).toEqual([]);
            // The same name on a second node, as every node's worker container has: no collision.
            const other = (await start(second)).trim();
            expect(other).not.toBe(id);
        } finally {
            await Promise.all([first, second].map((h) => dockerOn(h, "rm", "-f", name).catch(() => undefined)));
        }
    });

    test("a host-network container lives on its host's address, not the machine's or another host's", async () => {
        const seen = await Promise.all(
            hosts.map((h) => dockerOn(h, "run", "--rm", `--label=${labLabel}`, "--network=host", images.base, "cat", "/proc/net/fib_trie")),
        );
        seen.forEach((trie, i) => {
            // The lab network's own entry and its broadcast address are listed too.
            const own = new Set(trie.match(/10\.231\.0\.\d+/g)?.filter((a) => !/\.(0|255)$/.test(a)));
            expect([...own]).toEqual([hosts[i]]);
        });
    });

    test("no engine listens on TCP: the only way in is the host's sshd", async () => {
        for (const [i, host] of hosts.entries()) {
            const listeners = await run("ip", ["netns", "exec", `parwop-h${i + 1}`, "ss", "-Hltnp"]);
            expect(listeners).toContain(`${host}:22`);
            expect(listeners).not.toMatch(/dockerd|containerd/);
        }
    });
});
