/** dockerCreateArgs against a literal worker and broker as the program declares them. */
import { DeclaredContainer, dockerCreateArgs, shellQuote } from "./declared";

const worker: DeclaredContainer = {
    name: "parwop-worker",
    image: "parwop:0.1",
    networkMode: "host",
    memory: 36045,
    memorySwap: 36045,
    cpus: "2.0",
    envs: ["NODE_ID=worker-1", "IS_WORKER=True", "COORDINATOR_ADDRESS=http://node6.lab:8000"],
    volumes: [
        { hostPath: "/mnt/nfs/parwop", containerPath: "/code", readOnly: true },
        { hostPath: "/data/hdd/parwop", containerPath: "/data", readOnly: true },
        { hostPath: "/var/tmp/parwop_dumps", containerPath: "/tmp/parwop_dumps" },
    ],
    command: ["bash", "-c", "cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=8001"],
    securityOpts: ["seccomp=unconfined"],
    user: "root",
    restart: "unless-stopped",
    labels: [{ label: "parwop.stack", value: "lab-32_2" }],
};

describe("dockerCreateArgs", () => {
    test("a declared worker becomes exactly these docker create arguments", () => {
        expect(dockerCreateArgs(worker, ["--label=parwop-lab=1"])).toEqual([
            "create",
            "--name=parwop-worker",
            "--network=host",
            "--memory=36045m",
            "--memory-swap=36045m",
            "--cpus=2.0",
            "--user=root",
            "--restart=unless-stopped",
            "--security-opt=seccomp=unconfined",
            "--env=NODE_ID=worker-1",
            "--env=IS_WORKER=True",
            "--env=COORDINATOR_ADDRESS=http://node6.lab:8000",
            "--label=parwop.stack=lab-32_2",
            "--volume=/mnt/nfs/parwop:/code:ro",
            "--volume=/data/hdd/parwop:/data:ro",
            "--volume=/var/tmp/parwop_dumps:/tmp/parwop_dumps",
            "--label=parwop-lab=1",
            "parwop:0.1",
            "bash",
            "-c",
            "cd /code && python -u -m uvicorn parwop.server.main:app --host=0.0.0.0 --port=8001",
        ]);
    });

    test("ports, unlimited swap and a CMD healthcheck", () => {
        const args = dockerCreateArgs({
            name: "parwop-rabbitmq",
            image: "rabbitmq:3.10.7-management",
            memorySwap: -1,
            ports: [
                { internal: 5672, external: 5672 },
                { internal: 15672, external: 25672, ip: "10.231.0.1" },
                { internal: 4369, ip: "127.0.0.1" },
                { internal: 9999, protocol: "udp" },
            ],
            healthcheck: {
                tests: ["CMD", "rabbitmq-diagnostics", "-q", "ping"],
                interval: "5s",
                timeout: "10s",
                startPeriod: "20s",
                retries: 12,
            },
        });
        expect(args).toEqual([
            "create",
            "--name=parwop-rabbitmq",
            "--memory-swap=-1",
            "--publish=5672:5672",
            "--publish=10.231.0.1:25672:15672",
            "--publish=127.0.0.1::4369",
            "--publish=9999/udp",
            "--health-cmd=rabbitmq-diagnostics -q ping",
            "--health-interval=5s",
            "--health-timeout=10s",
            "--health-start-period=20s",
            "--health-retries=12",
            "rabbitmq:3.10.7-management",
        ]);
    });

    test("healthcheck words are quoted for the shell docker runs them in; CMD-SHELL is passed as is", () => {
        expect(shellQuote("it's")).toBe(`'it'\\''s'`);
        expect(dockerCreateArgs({ name: "a", image: "i", healthcheck: { tests: ["CMD", "sh", "-c", "exit 0"] } })).toContain(
            "--health-cmd=sh -c 'exit 0'",
        );
        expect(dockerCreateArgs({ name: "a", image: "i", healthcheck: { tests: ["CMD-SHELL", "curl -f x || exit 1"] } })).toContain(
            "--health-cmd=curl -f x || exit 1",
        );
    });

    test("an unknown healthcheck form is an error, not a silent default", () => {
        expect(() => dockerCreateArgs({ name: "a", image: "i", healthcheck: { tests: ["rabbitmq-diagnostics"] } })).toThrow(
            'healthcheck.tests must start with CMD, CMD-SHELL or NONE, got ["rabbitmq-diagnostics"]',
        );
    });
});
