import * as path from "node:path";
import { ROOT, run } from "./proc";

// These files stay plain CommonJS so they run with bare `node`; `// @ts-check` and their JSDoc
// only help if something checks them, and tsconfig.json (TypeScript sources) does not.
const JS_FILES = [
    "scripts/record-result.js",
    "scripts/results-lock.js",
    "tools/report.js",
    "tools/report-md.js",
    "tools/stats.js",
    "tools/svg-chart.js",
];

describe("plain-JS tools", () => {
    it("type-check under strict TypeScript with checkJs", () => {
        const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
        const r = run(
            "node",
            [
                tsc,
                "--ignoreConfig",
                "--noEmit",
                "--allowJs",
                "--checkJs",
                "--strict",
                "--target",
                "ES2022",
                "--module",
                "nodenext",
                "--moduleResolution",
                "nodenext",
                "--types",
                "node",
                "--skipLibCheck",
                ...JS_FILES,
            ],
            { timeoutMs: 120_000 },
        );
        expect(r.stdout + r.stderr).toBe("");
        expect(r.code).toBe(0);
    }, 120_000);
});
