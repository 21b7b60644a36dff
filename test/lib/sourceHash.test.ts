import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { sourceHash } from "../../lib/sourceHash";

describe("sourceHash: what rebuilds the PARWOP image", () => {
    const dir = mkdtempSync(join(tmpdir(), "parwop-src-"));
    mkdirSync(join(dir, "parwop"));
    writeFileSync(join(dir, "Dockerfile"), "FROM python:3.10\n");
    writeFileSync(join(dir, "parwop", "main.py"), "print(1)\n");

    test("an edited source file changes the digest", () => {
        const before = sourceHash(dir);
        writeFileSync(join(dir, "parwop", "main.py"), "print(2)\n");
        expect(sourceHash(dir)).not.toBe(before);
    });

    test("the same files give the same digest; VCS metadata and datasets do not count", () => {
        const before = sourceHash(dir);
        mkdirSync(join(dir, ".git"), { recursive: true });
        writeFileSync(join(dir, ".git", "HEAD"), "ref: refs/heads/x\n");
        mkdirSync(join(dir, "data"), { recursive: true });
        writeFileSync(join(dir, "data", "big.parquet"), "rows");
        expect(sourceHash(dir)).toBe(before);
        expect(sourceHash(dir)).toMatch(/^[0-9a-f]{64}$/);
    });

    test("a renamed file changes the digest", () => {
        const before = sourceHash(dir);
        writeFileSync(join(dir, "parwop", "other.py"), "print(2)\n");
        expect(sourceHash(dir)).not.toBe(before);
    });

    test("a missing context has no digest", () => {
        expect(sourceHash(join(dir, "nope"))).toBeUndefined();
    });
});
