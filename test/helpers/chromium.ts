/**
 * Renders an SVG file to a PNG of exactly its size in headless Chromium (Debian's `chromium`,
 * installed by test/lab/up.sh), with a profile of its own that is removed afterwards, and nothing
 * of Chromium's left running (it exits after the screenshot; the timeout kills it otherwise).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Chromium's flags for a one-shot render: no sandbox (root in the lab), no GPU, no network chatter, no profile. */
const flags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
];

/** The width and height an SVG document declares. */
export function svgSize(svg: string): { width: number; height: number } {
    const m = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg);
    if (!m) throw new Error("no width and height on the <svg> element");
    return { width: Number(m[1]), height: Number(m[2]) };
}

export function renderSvgToPng(svgFile: string, pngFile: string): void {
    const { width, height } = svgSize(fs.readFileSync(svgFile, "utf8"));
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "chromium-profile-"));
    try {
        const r = spawnSync(
            "chromium",
            [
                ...flags,
                `--user-data-dir=${profile}`,
                `--window-size=${width},${height}`,
                `--screenshot=${pngFile}`,
                `file://${path.resolve(svgFile)}`,
            ],
            { encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL" },
        );
        if (r.error) throw new Error(`chromium: ${r.error.message} (Debian: apt-get install chromium; test/lab/up.sh installs it)`);
        if (r.status !== 0 || !fs.existsSync(pngFile)) throw new Error(`chromium exited ${r.status}:\n${r.stderr}`);
    } finally {
        fs.rmSync(profile, { recursive: true, force: true });
    }
}
