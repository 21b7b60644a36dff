import { controlPath, sshOptions } from "../../lib/nodeProvider";

const strict = { user: "root", port: 22, hostKeyChecking: "strict" as const };
const keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKF+1xg+DUpSWxWfhDkUVVnjUsXOWn6iTT8w2T86gXs6";
const keyB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOaDn0v28qBozbvYWoYYOVPmNQ/Xj7fznvvLLfpZOIpF";
const optionValue = (opts: string[], name: string) =>
    opts.filter((o, i) => opts[i - 1] === "-o" && o.startsWith(`${name}=`)).map((o) => o.slice(name.length + 1));

describe("the multiplexed connection to a node", () => {
    test("is named by the host key it was verified with: a changed key never reuses a connection opened with the old one", () => {
        // Seen through the real engine: with one socket per host, an open master skipped the check of a changed key.
        const [a] = optionValue(sshOptions(strict, keyA), "ControlPath");
        const [b] = optionValue(sshOptions(strict, keyB), "ControlPath");
        expect(a).toBe(controlPath(keyA));
        expect(a).toMatch(/^~\/\.ssh\/parwop-%C-[0-9a-f]{8}$/);
        expect(b).not.toBe(a);
        expect(optionValue(sshOptions(strict, keyA), "ControlPath")).toEqual([a]);
    });

    test("without host-key checking there is no key to bind it to", () => {
        expect(optionValue(sshOptions({ ...strict, hostKeyChecking: "off" }, keyA), "ControlPath")).toEqual(["~/.ssh/parwop-%C"]);
    });

    test("the key the connection trusts is exactly the inventory's", () => {
        expect(optionValue(sshOptions(strict, keyA), "KnownHostsCommand")).toEqual([`/bin/echo %H ${keyA}`]);
    });
});
