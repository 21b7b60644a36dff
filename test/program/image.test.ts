import * as path from "path";
import { evaluate, Evaluation } from "../../tools/mockrun";
import { one } from "./harness";

describe("ParwopImage without a build", () => {
    let ev: Evaluation;
    beforeAll(async () => {
        await jest.isolateModulesAsync(async () => {
            ev = await evaluate("unit", { config: {}, secretKeys: [] }, { entry: path.join(__dirname, "prebuiltImage.ts") });
        });
    });

    test("uses the lab's prebuilt image on the node as it is, and never deletes it", () => {
        const image = one(ev, "prebuilt-image");
        expect(image.inputs).toEqual({ name: "registry.lab:5000/parwop:0.1", keepLocally: true });
        expect(image.provider).toMatch(/::node-docker-id$/);
    });

    test("containers get its image ID", () => {
        expect(ev.outputs.imageId).toBe("sha256:prebuilt-image");
    });
});
