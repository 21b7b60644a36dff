import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { scratchProject } from "../../tools/mock/project";
import { fixtureRoot } from "./fixture";

/**
 * A throwaway project for a test: the program's code, the test-owned envs/, stacks/ and stack
 * files (test/fixtures/project), and `files` on top. node_modules is a symlink.
 */
export function fixtureProject(files: Record<string, string> = {}, dir = fs.mkdtempSync(path.join(os.tmpdir(), "parwop-test-"))): string {
    return scratchProject(files, { layers: [fixtureRoot], dir });
}
