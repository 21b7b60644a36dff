import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES } from "./proc";

/** test/fixtures/fake_coordinator.py running on a free port, steered through its state file. */
export interface FakeCoordinator {
    url: string;
    stateFile: string;
    setState(state: unknown): void;
    /** Resolves once the fake has answered `n` more requests (however slow python starts), or `stop()` holds. */
    waitForRequests(n: number, stop?: () => boolean): Promise<void>;
    stop(): void;
}

export async function startFakeCoordinator(): Promise<FakeCoordinator> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fake-coordinator-"));
    const stateFile = path.join(tmp, "state.json");
    const setState = (state: unknown) => fs.writeFileSync(stateFile, JSON.stringify(state));
    setState({ nodes: {} });
    const server: ChildProcess = spawn("python3", [path.join(FIXTURES, "fake_coordinator.py"), stateFile], {
        stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<string>((resolve, reject) => {
        server.once("error", reject);
        server.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
    });
    const requests = () =>
        fs.existsSync(`${stateFile}.requests`) ? fs.readFileSync(`${stateFile}.requests`, "utf8").split("\n").length - 1 : 0;
    return {
        url: `http://127.0.0.1:${port}`,
        stateFile,
        setState,
        async waitForRequests(n: number, stop = () => false) {
            const before = requests();
            while (requests() < before + n && !stop()) await new Promise((resolve) => setTimeout(resolve, 50));
        },
        stop() {
            server.kill();
            fs.rmSync(tmp, { recursive: true, force: true });
        },
    };
}
