/**
 * The SSH test hosts (network namespaces parwop-h1..hN with their own sshd): reachable as root
 * with the lab's key and strict host-key checking, each its own host, and a cache drop over SSH
 * really empties the page cache. Each host's own Docker engine: engines.test.ts.
 */
import { readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { labDir, labHosts, requireLab, run, ssh } from "./lab";

const MiB = 1024 * 1024;

function cachedBytes(): number {
    const m = /^Cached:\s+(\d+) kB$/m.exec(readFileSync("/proc/meminfo", "utf8"));
    if (!m) throw new Error("no Cached line in /proc/meminfo");
    return Number(m[1]) * 1024;
}

describe("SSH test hosts", () => {
    let hosts: string[];

    beforeAll(() => {
        requireLab();
        hosts = labHosts();
    });

    test("there is one address per parwop-hN namespace (LAB_HOSTS when set) on the lab network", async () => {
        const namespaces = (await run("ip", ["netns", "list"])).split("\n").filter((l) => l.startsWith("parwop-h"));
        expect(hosts.length).toBe(namespaces.length);
        if (process.env.LAB_HOSTS) expect(hosts.length).toBe(Number(process.env.LAB_HOSTS));
        hosts.forEach((addr, i) => expect(addr).toBe(`10.231.0.${11 + i}`));
    });

    test("each host answers `hostname` as root with StrictHostKeyChecking=yes, and is its own host", async () => {
        const names = await Promise.all(hosts.map((addr) => ssh(addr, "id -un; hostname")));
        expect(names.map((n) => n.trim())).toEqual(hosts.map((_a, i) => `root\nparwop-h${i + 1}`));
    });

    test("strict host-key checking is real: an unknown host or another host's key is refused", async () => {
        await expect(ssh(hosts[0], "true", ["-o", "UserKnownHostsFile=/dev/null"])).rejects.toThrow(/Host key verification failed/);
        const known = readFileSync(join(labDir, "known_hosts"), "utf8").split("\n");
        const swapped = join(labDir, `known_hosts.swapped.${process.pid}`);
        // Host 2's address with host 1's key.
        writeFileSync(swapped, `${hosts[1]} ${known[0].split(" ").slice(1).join(" ")}\n`);
        try {
            await expect(ssh(hosts[1], "true", ["-o", `UserKnownHostsFile=${swapped}`])).rejects.toThrow(
                /HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
            );
        } finally {
            rmSync(swapped, { force: true });
        }
    });

    test("every host can drop the page cache as root", async () => {
        const out = await Promise.all(hosts.map((addr) => ssh(addr, "sync; echo 3 > /proc/sys/vm/drop_caches && echo dropped")));
        expect(out.map((o) => o.trim())).toEqual(hosts.map(() => "dropped"));
    });

    test("a drop over SSH empties the page cache: a warm 64 MiB file leaves it", async () => {
        const file = join(labDir, `cache-probe.${process.pid}`);
        const resident = async () => Number((await ssh(hosts[0], `fincore --bytes --noheadings --output RES ${file}`)).trim());
        // The page cache is the machine's: anything else that drops or fills it meanwhile (other
        // tests, a benchmark) can spoil one attempt, so a few are allowed; a drop that does not
        // work fails every one of them.
        const attempts: string[] = [];
        try {
            await ssh(hosts[0], `dd if=/dev/urandom of=${file} bs=1M count=64 status=none && sync`);
            for (let i = 0; i < 5; i++) {
                // Read on a test host: its pages are now in the (shared) page cache.
                await ssh(hosts[0], `cat ${file} > /dev/null`);
                const warm = await resident();
                const before = cachedBytes();
                await ssh(hosts[1], "sync; echo 3 > /proc/sys/vm/drop_caches");
                const after = cachedBytes();
                const cold = await resident();
                attempts.push(`warm ${warm} B, cold ${cold} B, Cached ${before} -> ${after} B`);
                if (warm > 60 * MiB && cold < 1 * MiB && before - after > 48 * MiB) return;
            }
            throw new Error(`the page cache did not shrink as expected:\n${attempts.join("\n")}`);
        } finally {
            rmSync(file, { force: true });
        }
    });
});
